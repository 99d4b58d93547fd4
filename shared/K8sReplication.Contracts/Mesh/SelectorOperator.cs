namespace K8sReplication.Contracts.Mesh;

/// <summary>Label selector operators, spelled as Kubernetes spells them.</summary>
public enum SelectorOperator
{
    /// <summary>The label's value is one of the values.</summary>
    In = 0,

    /// <summary>The label is absent or its value is none of the values.</summary>
    NotIn = 1,

    /// <summary>The label is present.</summary>
    Exists = 2,

    /// <summary>The label is absent.</summary>
    DoesNotExist = 3,
}
