using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Pull;

/// <summary>A decoded batch frame, not yet checked against the request (see <see cref="PeerAnswers.Page"/>).</summary>
/// <param name="Site">The serving member's site.</param>
/// <param name="Hlc">The serving member's clock.</param>
/// <param name="Now">The serving member's wall clock (Unix ms).</param>
/// <param name="Changes">The changes, in seq order.</param>
/// <param name="LastSeq">The reader's next cursor.</param>
/// <param name="MaxSeq">The serving member's newest seq.</param>
/// <param name="Horizon">The serving member's collection horizon (see MeshHorizons); 0 when it sent none.</param>
internal sealed record FeedFrame(SiteId Site, long Hlc, long Now, IReadOnlyList<Change> Changes, long LastSeq, long MaxSeq, long Horizon = 0);
