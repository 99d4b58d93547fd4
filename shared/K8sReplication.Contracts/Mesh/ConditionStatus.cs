namespace K8sReplication.Contracts.Mesh;

/// <summary>Condition status values.</summary>
public enum ConditionStatus
{
    /// <summary>Not known (yet).</summary>
    Unknown = 0,

    /// <summary>The condition holds.</summary>
    True = 1,

    /// <summary>The condition does not hold.</summary>
    False = 2,
}
