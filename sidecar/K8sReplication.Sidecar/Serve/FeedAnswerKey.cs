using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Serve;

/// <summary>What decides a feed answer's content: two requests with equal keys get the same bytes.</summary>
/// <param name="Format">0 for JSON, else the binary feed format's version.</param>
/// <param name="After">The reader's cursor.</param>
/// <param name="Limit">Most changes asked for.</param>
/// <param name="Origin">Only changes this site wrote, or all.</param>
/// <param name="MaxBytes">The reader's byte budget.</param>
internal readonly record struct FeedAnswerKey(int Format, long After, int Limit, SiteId? Origin, long MaxBytes);
