namespace K8sReplication.Operator.Runtime;

/// <summary>Tunables of an <see cref="Informer{T}"/>; every one has a named default.</summary>
internal sealed record InformerOptions
{
    public static readonly TimeSpan DefaultServerTimeout = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultInactivityTimeout = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan DefaultRetryDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan DefaultMaxRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>Label selector of the list and watch (null: everything).</summary>
    public string? LabelSelector { get; init; }

    /// <summary>Field selector of the list and watch (null: everything).</summary>
    public string? FieldSelector { get; init; }

    /// <summary>The API server ends each watch after this long; the client reconnects from the last version.</summary>
    public TimeSpan ServerTimeout { get; init; } = DefaultServerTimeout;

    /// <summary>No bytes (not even a bookmark) for this long restarts the watch: a silent connection is a dead one.</summary>
    public TimeSpan InactivityTimeout { get; init; } = DefaultInactivityTimeout;

    /// <summary>First delay before listing again after a failed list or a broken watch; doubles up to the maximum.</summary>
    public TimeSpan RetryDelay { get; init; } = DefaultRetryDelay;

    public TimeSpan MaxRetryDelay { get; init; } = DefaultMaxRetryDelay;
}
