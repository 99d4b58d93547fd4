namespace K8sReplication.Operator.Network;

/// <summary>
/// Whether the operator keeps NetworkPolicies for meshes, and how its own pods are named in them: policies may admit
/// the operator only when it knows its namespace and pod labels (the chart passes both).
/// </summary>
internal sealed record NetworkPolicyOptions
{
    /// <summary><c>--network-policies</c>: keep a NetworkPolicy per mesh (default on).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary><c>--network-policy-operator-namespace</c>, else POD_NAMESPACE: where the operator's pods run.</summary>
    public string? OperatorNamespace { get; init; }

    /// <summary><c>--network-policy-operator-labels</c>: labels every operator pod carries.</summary>
    public IReadOnlyDictionary<string, string> OperatorLabels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>True when policies can name the operator's pods.</summary>
    public bool KnowsOperator => OperatorNamespace is { Length: > 0 } && OperatorLabels.Count > 0;
}
