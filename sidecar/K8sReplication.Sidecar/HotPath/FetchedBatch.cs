using K8sReplication.Contracts.Wire;

namespace K8sReplication.Sidecar.HotPath;

/// <summary>A feed answer handed from a tailer's fetcher to its applier; Full means more is waiting at the peer.</summary>
internal sealed record FetchedBatch(ChangesResponse Response, bool Full);
