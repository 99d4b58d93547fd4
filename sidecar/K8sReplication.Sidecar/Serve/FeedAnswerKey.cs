using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Serve;

/// <summary>
/// What decides a feed answer's content, with the reader's row limit: an answer serves a request with the same key
/// whose limit is at least the answer's change count.
/// </summary>
/// <param name="Format">0 for JSON, else the binary feed format's version.</param>
/// <param name="After">The reader's cursor.</param>
/// <param name="Origin">Only changes this site wrote, or all.</param>
/// <param name="MaxBytes">The reader's byte budget.</param>
/// <param name="HistoryEpoch">
/// How many times the served history lost entries other than by a later change (<see cref="ReplicaStore.HistoryEpoch"/>):
/// a page read before rows were dropped or tombstones collected is not served after.
/// </param>
internal readonly record struct FeedAnswerKey(int Format, long After, SiteId? Origin, long MaxBytes, long HistoryEpoch = 0);
