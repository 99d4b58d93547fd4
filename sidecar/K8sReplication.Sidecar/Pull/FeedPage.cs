using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Pull;

/// <summary>A validated feed answer: the serving site, its changes in seq order, the next cursor and its newest seq.</summary>
internal sealed record FeedPage(SiteId Site, IReadOnlyList<Change> Changes, long LastSeq, long MaxSeq, long Bytes, long Horizon = 0);
