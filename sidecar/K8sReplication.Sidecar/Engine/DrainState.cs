namespace K8sReplication.Sidecar.Engine;

/// <summary>
/// The shutdown drain as the rest of the sidecar sees it: whether it runs, how many local changes no peer has fetched
/// yet, and the moment the change feed stops long-polling (only once the drain is over: until then peers must be able
/// to fetch what they lack).
/// </summary>
internal sealed class DrainState : IDisposable
{
    private readonly CancellationTokenSource feedStopping = new();
    private long undelivered = -1;
    private int draining;

    /// <summary>True from SIGTERM until the drain ends.</summary>
    public bool Draining => Volatile.Read(ref draining) != 0;

    /// <summary>Local changes no peer has fetched yet, as last counted by the drain (null before it counted).</summary>
    public long? Undelivered => Interlocked.Read(ref undelivered) is >= 0 and var n ? n : null;

    /// <summary>Cancelled once the drain is over: long-polls then answer at once so the server stops quickly.</summary>
    public CancellationToken FeedStopping => feedStopping.Token;

    public void Begin() => Volatile.Write(ref draining, 1);

    public void Counted(long changes) => Interlocked.Exchange(ref undelivered, changes);

    public void Finish()
    {
        Volatile.Write(ref draining, 0);
        feedStopping.Cancel();
    }

    public void Dispose() => feedStopping.Dispose();
}
