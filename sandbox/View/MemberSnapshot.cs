namespace K8sReplication.Sandbox.View;

/// <summary>One member as seen at one instant: its app database (read directly) and its sidecar's status.</summary>
internal sealed record MemberSnapshot(
    string Name,
    bool SidecarUp,
    long Rows,
    string Digest,
    string MerkleRoot,
    bool Ready,
    int PeersConnected,
    int PeersTotal,
    long AppliedTotal,
    long Writes);
