namespace K8sReplication.Contracts.Mesh;

/// <summary>
/// A CEL validation rule the CRD generator emits as <c>x-kubernetes-validations</c> on the property's schema, so the
/// API server enforces it (e.g. immutability with <c>self == oldSelf</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class, AllowMultiple = true)]
public sealed class CelRuleAttribute(string rule, string message) : Attribute
{
    /// <summary>CEL expression over <c>self</c> (and <c>oldSelf</c> for transition rules).</summary>
    public string Rule { get; } = rule;

    /// <summary>Message the API server returns when the rule fails.</summary>
    public string Message { get; } = message;
}
