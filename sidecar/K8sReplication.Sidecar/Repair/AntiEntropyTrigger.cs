namespace K8sReplication.Sidecar.Repair;

/// <summary>
/// Asks every anti-entropy loop for a round now (<c>POST /v1/antientropy</c>) instead of at its next interval. A loop
/// takes <see cref="Wake"/> before each round and waits on it with its interval: a request that arrives during a round
/// has already cancelled the token the loop will wait on next, so no request falls between two rounds.
/// </summary>
internal sealed class AntiEntropyTrigger : IDisposable
{
    private readonly Lock _gate = new();
    private CancellationTokenSource _pending = new();

    /// <summary>Cancelled by the next <see cref="RequestRound"/>.</summary>
    public CancellationToken Wake
    {
        get
        {
            lock (_gate)
            {
                return _pending.Token;
            }
        }
    }

    public void RequestRound()
    {
        CancellationTokenSource fired;
        lock (_gate)
        {
            fired = _pending;
            _pending = new CancellationTokenSource();
        }

        // Not disposed: loops may still link to its token; without a timer or wait handle it holds nothing unmanaged.
        fired.Cancel();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _pending.Dispose();
        }
    }
}
