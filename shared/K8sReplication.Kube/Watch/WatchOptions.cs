using K8sReplication.Kube.Client;

namespace K8sReplication.Kube.Watch;

/// <summary>Options of a watch.</summary>
public sealed record WatchOptions
{
    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>The server ends the watch after this long (a normal end; the resuming watch reconnects).</summary>
    public TimeSpan ServerTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// No bytes (events or bookmarks) for this long ends the connection with <see cref="WatchStalledException"/>.
    /// Must exceed the server's bookmark interval (about a minute on a real API server).
    /// </summary>
    public TimeSpan InactivityTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Longest wait for the response headers of a watch request.</summary>
    public TimeSpan OpenTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Backoff between reconnects after failures (the resuming watch).</summary>
    public RetryPolicy Retry { get; init; } = new();

    /// <summary>Longest accepted event line; a longer one is a broken stream.</summary>
    public int MaxEventBytes { get; init; } = 16 * 1024 * 1024;
}
