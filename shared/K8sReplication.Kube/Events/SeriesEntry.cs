namespace K8sReplication.Kube.Events;

/// <summary>The Event object written for a key, and how often it has occurred.</summary>
internal sealed class SeriesEntry
{
    public required string Name { get; init; }

    public required string Namespace { get; init; }

    public int Count { get; set; }

    /// <summary>Monotonic timestamp of the last occurrence.</summary>
    public long LastSeen { get; set; }
}
