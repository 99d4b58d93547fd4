using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Serve;

/// <summary>What decides a feed answer's content: two requests with equal keys get the same bytes.</summary>
internal readonly record struct FeedAnswerKey(bool Binary, long After, int Limit, SiteId? Origin, long MaxBytes);
