using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Metrics;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Repair;
using K8sReplication.Sidecar.Resilience;
using K8sReplication.Sidecar.Security;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Streams;

namespace K8sReplication.Sidecar.Engine;

/// <summary>
/// Keeps one tailer and one anti-entropy loop running per configured peer, adding, removing and restarting them
/// live when the config changes. Every loop is a tracked task awaited on shutdown and on removal.
/// </summary>
internal sealed partial class PeerSupervisor : BackgroundService
{
    private readonly LiveConfig _config;
    private readonly StoreAccess _replica;
    private readonly BatchApplier _applier;
    private readonly DatabaseCircuit _databaseCircuit;
    private readonly BearerTokenAuthenticator _auth;
    private readonly SidecarMetrics _metrics;
    private readonly AntiEntropyTrigger _antiEntropyTrigger;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly PeerHttp _http;
    private readonly RedisLink? _redis;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, PeerLoops> _loops = new(StringComparer.Ordinal);
    private readonly List<Task> _retiring = [];
    private readonly FeedInflow _inflow;
    private HashSet<string>? _initialPeers;
    private ReplicaStore? _store;
    private SiteBindings? _bindings;
    private volatile bool _initialCatchUpDone;
    private CancellationToken _stopping;

    public PeerSupervisor(
        LiveConfig config,
        StoreAccess replica,
        BatchApplier applier,
        DatabaseCircuit databaseCircuit,
        BearerTokenAuthenticator auth,
        SidecarMetrics metrics,
        AntiEntropyTrigger antiEntropyTrigger,
        PeerHttp http,
        TimeProvider time,
        ILoggerFactory loggers,
        RedisLink? redis = null)
    {
        _redis = redis;
        _config = config;
        _replica = replica;
        _applier = applier;
        _databaseCircuit = databaseCircuit;
        _auth = auth;
        _metrics = metrics;
        _antiEntropyTrigger = antiEntropyTrigger;
        _time = time;
        _inflow = new FeedInflow(time);
        _loggers = loggers;
        _logger = loggers.CreateLogger<PeerSupervisor>();
        _http = http;
    }

    public IReadOnlyList<PeerState> Peers
    {
        get
        {
            lock (_gate)
            {
                return [.. _loops.Values.Select(l => l.State).OrderBy(p => p.Name, StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>
    /// Latched true once every peer configured at start caught up once or proved unreachable (a member with no
    /// reachable peers is ready). Peers added later do not take readiness away.
    /// </summary>
    public bool InitialCatchUpDone
    {
        get
        {
            if (_initialCatchUpDone)
            {
                return true;
            }

            lock (_gate)
            {
                if (_initialPeers is null)
                {
                    return false;
                }

                var done = _initialPeers.All(name => !_loops.TryGetValue(name, out var l) || l.State.InitialCatchUpSettled);
                _initialCatchUpDone = done;
                return done;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        if (!_replica.TryGet(out var store))
        {
            return;
        }

        _store = store;
        _bindings = new SiteBindings(store);
        _config.Changed += Apply;
        Apply(_config.Current);
        lock (_gate)
        {
            _initialPeers = [.. _loops.Keys];
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Shutdown: stop every loop below, letting an apply in flight finish its transaction.
        }

        _config.Changed -= Apply;
        List<Task> all;
        lock (_gate)
        {
            foreach (var loops in _loops.Values)
            {
                loops.Stop.Cancel();
            }

            all = [.. _loops.Values.Select(l => l.Running), .. _retiring];
        }

        await Task.WhenAll(all);
    }

    private void Apply(SidecarSettings settings)
    {
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
            {
                return;
            }

            var wanted = settings.Peers.ToDictionary(p => p.Name, StringComparer.Ordinal);
            foreach (var (name, loops) in _loops.ToList())
            {
                // A changed address or required site id restarts the peer's loops, so they use it from their next request.
                if (!wanted.TryGetValue(name, out var peer) || peer != loops.State.Settings)
                {
                    loops.Stop.Cancel();
                    _retiring.Add(loops.Running);
                    _loops.Remove(name);
                    LogPeerRemoved(_logger, name);
                }
            }

            _retiring.RemoveAll(t => t.IsCompleted);
            foreach (var peer in settings.Peers)
            {
                if (!_loops.ContainsKey(peer.Name))
                {
                    _loops[peer.Name] = StartLoops(peer);
                    LogPeerAdded(_logger, peer.Name, peer.Url);
                }
            }
        }
    }

    private PeerLoops StartLoops(PeerSettings peer)
    {
        var state = new PeerState(peer, _time, _inflow);
        var client = new PeerClient(_http, state, _auth, _metrics, _config, _time);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        var logger = _loggers.CreateLogger("K8sReplication.Sidecar.Peers." + peer.Name);
        Task tailer;
        if (FaultPoints.IsOn(FaultPoints.HotPathOff))
        {
            state.InitialCatchUpSettled = true;
            tailer = Task.CompletedTask;
        }
        else if (_redis is not null)
        {
            // The Redis transport replaces the feed tailer only; anti-entropy still talks to the peer over HTTP.
            tailer = Task.Run(() => new StreamTailer(_config, _store!, _applier, _databaseCircuit, client, _redis, _metrics, _antiEntropyTrigger, _time, logger)
                .RunAsync(stop.Token), CancellationToken.None);
        }
        else
        {
            tailer = Task.Run(() => new PeerTailer(_config, _store!, _applier, _databaseCircuit, client, _bindings!, _time, logger).RunAsync(stop.Token), CancellationToken.None);
        }

        var antiEntropy = Task.Run(() => new AntiEntropyLoop(_config, _store!, _applier, client, _bindings!, _metrics, _antiEntropyTrigger, _time, logger).RunAsync(stop.Token), CancellationToken.None);
        return new PeerLoops(state, stop, Task.WhenAll(tailer, antiEntropy));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {Peer} added ({Url})")]
    private static partial void LogPeerAdded(ILogger logger, string peer, Uri url);

    [LoggerMessage(Level = LogLevel.Information, Message = "Peer {Peer} removed")]
    private static partial void LogPeerRemoved(ILogger logger, string peer);

    private sealed record PeerLoops(PeerState State, CancellationTokenSource Stop, Task Running);
}
