using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Sandbox.View;

/// <summary>Everything the live view shows at one instant: the mesh status from the API and every member.</summary>
internal sealed record ClusterSnapshot(ReplicationMeshStatus? Mesh, IReadOnlyList<MemberSnapshot> Members, double AppliedPerSecond, long Writes)
{
    public string Condition(string type) =>
        Mesh?.Conditions?.FirstOrDefault(c => c.Type == type)?.Status.ToString() ?? "-";

    public string? ConditionReason(string type) => Mesh?.Conditions?.FirstOrDefault(c => c.Type == type)?.Reason;

    /// <summary>Every sidecar up, and every member holds the same rows (same content digest) and the same Merkle root.</summary>
    public bool LocallyConverged =>
        Members.Count > 0
        && Members.All(m => m.SidecarUp && m.MerkleRoot.Length > 0)
        && Members.Select(m => m.Digest).Distinct().Count() == 1
        && Members.Select(m => m.MerkleRoot).Distinct().Count() == 1;

    /// <summary>
    /// The mesh converged by both accounts: the operator reports Ready and Converged for all members, and the
    /// members' databases agree.
    /// </summary>
    public bool Converged =>
        LocallyConverged
        && Mesh?.TotalMembers == Members.Count
        && Mesh.ReadyMembers == Members.Count
        && Condition(ConditionTypes.Converged) == nameof(ConditionStatus.True)
        && Condition(ConditionTypes.Ready) == nameof(ConditionStatus.True);

    public long Rows => Members.Count == 0 ? 0 : Members.Max(m => m.Rows);

    public long Events => Members.Count == 0 ? 0 : Members.Max(m => m.Events);

    public string Root => Members.Count > 0 && Members[0].MerkleRoot is { Length: > 0 } root ? Short(root) : "-";

    public static string Short(string root) => root.Length > 12 ? root[..12] : root;
}
