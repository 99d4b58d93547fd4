namespace K8sReplication.KubectlPlugin.Diff;

/// <summary>What <c>diff -o json|yaml</c> prints.</summary>
internal sealed record DiffReport
{
    public string Mesh { get; init; } = "";

    /// <summary>The member every other one is compared with: one holding the most common Merkle root.</summary>
    public string Reference { get; init; } = "";

    public string ReferenceRoot { get; init; } = "";

    public IReadOnlyList<string> Agreeing { get; init; } = [];

    public IReadOnlyList<MemberDifference> Differing { get; init; } = [];
}
