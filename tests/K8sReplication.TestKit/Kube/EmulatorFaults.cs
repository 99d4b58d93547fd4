using K8sReplication.TestKit.Kube.Storage;

namespace K8sReplication.TestKit.Kube;

/// <summary>Fault injection for tests: cut watches, force 410, fail or delay requests.</summary>
public sealed class EmulatorFaults
{
    private readonly Lock _gate = new();
    private readonly ObjectStore _store;
    private readonly List<(int Remaining, int StatusCode, Func<RecordedRequest, bool>? Match)> _failures = [];
    private TimeSpan? _delay;

    internal EmulatorFaults(ObjectStore store) => _store = store;

    /// <summary>Cuts every open watch connection abruptly (no clean end of stream), as a network drop would.</summary>
    public void DropWatches() => _store.DropWatches();

    /// <summary>Forgets the event history: any watch or continue token from a version older than now gets 410 Expired.</summary>
    public void ExpireHistory() => _store.ExpireHistory();

    /// <summary>The next <paramref name="count"/> requests matching <paramref name="match"/> (all when null) fail with a Status of <paramref name="statusCode"/>.</summary>
    public void FailNext(int count, int statusCode, Func<RecordedRequest, bool>? match = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (_gate)
        {
            _failures.Add((count, statusCode, match));
        }
    }

    /// <summary>Delays every request by <paramref name="perRequest"/> before it is served; null switches the delay off.</summary>
    public void Delay(TimeSpan? perRequest)
    {
        lock (_gate)
        {
            _delay = perRequest;
        }
    }

    internal TimeSpan? CurrentDelay
    {
        get
        {
            lock (_gate)
            {
                return _delay;
            }
        }
    }

    internal int? TakeFailure(RecordedRequest request)
    {
        lock (_gate)
        {
            for (var i = 0; i < _failures.Count; i++)
            {
                var (remaining, status, match) = _failures[i];
                if (match is not null && !match(request))
                {
                    continue;
                }

                if (remaining <= 1)
                {
                    _failures.RemoveAt(i);
                }
                else
                {
                    _failures[i] = (remaining - 1, status, match);
                }

                return status;
            }

            return null;
        }
    }
}
