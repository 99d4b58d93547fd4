namespace K8sReplication.Sidecar.Serve;

/// <summary>An encoded feed answer: its body, content type, how many changes it carries and its cursor.</summary>
internal sealed record FeedAnswer(ReadOnlyMemory<byte> Body, string ContentType, int Changes, long LastSeq);
