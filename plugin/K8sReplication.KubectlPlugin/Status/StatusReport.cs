namespace K8sReplication.KubectlPlugin.Status;

/// <summary>What <c>status -o json|yaml</c> prints.</summary>
internal sealed record StatusReport
{
    public string Mesh { get; init; } = "";

    public string Namespace { get; init; } = "";

    public string? Phase { get; init; }

    public bool Paused { get; init; }

    public IReadOnlyList<MemberStatus> Members { get; init; } = [];
}
