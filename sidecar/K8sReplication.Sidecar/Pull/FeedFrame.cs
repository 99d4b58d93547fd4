using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Pull;

/// <summary>A decoded batch frame, not yet checked against the request (see <see cref="PeerAnswers.Page"/>).</summary>
internal sealed record FeedFrame(SiteId Site, long Hlc, long Now, IReadOnlyList<Change> Changes, long LastSeq, long MaxSeq);
