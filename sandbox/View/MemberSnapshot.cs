namespace K8sReplication.Sandbox.View;

/// <summary>
/// One member as seen at one instant: its app database (read directly: notes in <paramref name="Rows"/>, events) and
/// its sidecar's status (<paramref name="Conflicts"/>: entries in its conflict log).
/// </summary>
internal sealed record MemberSnapshot(
    string Name,
    bool SidecarUp,
    long Rows,
    long Events,
    string Digest,
    string MerkleRoot,
    bool Ready,
    int PeersConnected,
    int PeersTotal,
    long AppliedTotal,
    long Writes,
    long Conflicts);
