using K8sReplication.Contracts.Health;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Resilience;
using StackExchange.Redis;

namespace K8sReplication.Sidecar.Streams;

/// <summary>
/// The sidecar's view of the Redis server: opens connections with the configured address, credentials and TLS, and
/// keeps the transport's circuit breaker and connection state that status, metrics and readiness read. Every Redis
/// command of the publisher and the tailers reports its outcome here, so an outage opens one breaker for all of them.
/// </summary>
internal sealed class RedisLink(RedisSettings settings, TimeProvider time)
{
    private readonly Lock _gate = new();
    private string? _lastError;
    private bool _connected;

    public RedisSettings Settings => settings;

    public CircuitBreaker Breaker { get; } = new(SidecarDefaults.PeerCircuitFailureThreshold, SidecarDefaults.PeerCircuitOpenTime, time);

    public bool Connected
    {
        get
        {
            lock (_gate)
            {
                return _connected;
            }
        }
    }

    /// <summary>The last failure talking to Redis (naming Redis and its address, never the password); null once a command worked again.</summary>
    public string? LastError
    {
        get
        {
            lock (_gate)
            {
                return _lastError;
            }
        }
    }

    public CircuitState State => Breaker.State;

    /// <summary>
    /// Opens a connection of its own (a tailer's blocking <c>XREAD</c> holds its connection for the block time, so it
    /// must not share one). Does not throw while Redis is down: commands fail until it is back. The loops drop a
    /// connection after an outage and open a new one, rather than wait for the client's own reconnect.
    /// </summary>
    public async Task<ConnectionMultiplexer> ConnectAsync(string clientName, TimeSpan commandTimeout)
    {
        var options = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            ClientName = clientName,
            User = settings.User,
            Password = ReadPassword(),
            Ssl = settings.Tls,
            SslHost = settings.Tls ? settings.Host : null,
            DefaultDatabase = settings.Database,
            ConnectTimeout = 3000,
            ConnectRetry = 1,
            AsyncTimeout = (int)commandTimeout.TotalMilliseconds,
            SyncTimeout = (int)commandTimeout.TotalMilliseconds,
            ReconnectRetryPolicy = new ExponentialRetry(250, 5000),
            // The replies of XREAD and XINFO are read as RESP2 arrays.
            Protocol = RedisProtocol.Resp2,
        };
        options.EndPoints.Add(settings.Host, settings.Port);
        if (settings.CaFile is { } ca)
        {
            options.TrustIssuer(ca);
        }

        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>
    /// True for a failure to reach Redis (no connection, a timeout), which counts against the breaker; an error
    /// answer from a reachable server does not.
    /// </summary>
    public static bool IsOutage(Exception e) => e is RedisConnectionException or RedisTimeoutException or TimeoutException;

    public void RecordSuccess()
    {
        Breaker.RecordSuccess();
        lock (_gate)
        {
            _connected = true;
            _lastError = null;
        }
    }

    public void RecordFailure(Exception e)
    {
        Breaker.RecordFailure();
        lock (_gate)
        {
            _connected = false;
            _lastError = $"Redis at {settings.Display}: {e.GetType().Name}: {e.Message}";
        }
    }

    /// <summary>The password file's content (read at each connect, so a rotated Secret is picked up), else the URL's password.</summary>
    private string? ReadPassword() =>
        settings.PasswordFile is { } file ? File.ReadAllText(file).TrimEnd('\r', '\n') : settings.Password;
}
