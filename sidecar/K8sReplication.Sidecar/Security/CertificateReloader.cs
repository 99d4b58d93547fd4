namespace K8sReplication.Sidecar.Security;

/// <summary>
/// Holds the TLS material in force and re-reads the three files every <see cref="PollInterval"/>: when their bytes
/// changed (a Secret volume swaps its <c>..data</c> symlink, so all three change at once), the new reading is
/// loaded, checked and swapped in whole, and <see cref="Changed"/> is raised. A reading that cannot be used (a file
/// half written, a key that does not match) is logged and counted, and the material in force stays, so a bad rotation
/// never takes the member off the mesh. Polling rather than file-system notifications: a symlink swap is reported
/// unreliably, and the files are small.
/// </summary>
internal sealed partial class CertificateReloader : BackgroundService
{
    /// <summary>How often the files are compared with the material in force.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly string _certFile;
    private readonly string _keyFile;
    private readonly string _caFile;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private TlsMaterial _current;
    private byte[]? _failedDigest;
    private long _reloads;
    private long _failures;

    public CertificateReloader(TlsMaterial initial, string certFile, string keyFile, string caFile, TimeProvider time, ILogger<CertificateReloader> logger)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _current = initial;
        _certFile = certFile;
        _keyFile = keyFile;
        _caFile = caFile;
        _time = time;
        _logger = logger;
        LogLoaded(_logger, initial.Certificate.Subject, initial.NotAfter, initial.Authorities.Count);
    }

    /// <summary>Raised after new material is in force (on the reloader's loop).</summary>
    public event Action<TlsMaterial>? Changed;

    /// <summary>The material every new handshake uses.</summary>
    public TlsMaterial Current => Volatile.Read(ref _current);

    /// <summary>Readings swapped in since start.</summary>
    public long Reloads => Interlocked.Read(ref _reloads);

    /// <summary>Changed readings that could not be used (the material in force stayed).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Compares the files with the material in force and swaps in a changed, usable reading.</summary>
    public void Poll()
    {
        var digest = TlsMaterial.CurrentDigest(_certFile, _keyFile, _caFile);
        if (digest is null || digest.AsSpan().SequenceEqual(Current.Digest) || digest.AsSpan().SequenceEqual(_failedDigest))
        {
            // Unreadable for a moment, unchanged, or the same bad reading as last time (counted once).
            return;
        }

        TlsMaterial next;
        try
        {
            next = TlsMaterial.Load(_certFile, _keyFile, _caFile);
        }
        catch (TlsMaterialException e)
        {
            if (!digest.AsSpan().SequenceEqual(TlsMaterial.CurrentDigest(_certFile, _keyFile, _caFile)))
            {
                // The files changed while they were read (copied one by one, not swapped): read them again next time.
                return;
            }

            _failedDigest = digest;
            Interlocked.Increment(ref _failures);
            LogReloadFailed(_logger, e.Part.ToString(), e.Message);
            return;
        }

        _failedDigest = null;

        // The previous material is not disposed: connections opened with it may still use its certificate.
        Volatile.Write(ref _current, next);
        Interlocked.Increment(ref _reloads);
        LogReloaded(_logger, next.Certificate.Subject, next.NotAfter, next.Authorities.Count);
        Changed?.Invoke(next);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            Poll();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "TLS certificate {Subject} loaded (expires {NotAfter:O}); {Authorities} trusted CA certificate(s)")]
    private static partial void LogLoaded(ILogger logger, string subject, DateTimeOffset notAfter, int authorities);

    [LoggerMessage(Level = LogLevel.Information, Message = "TLS files changed: certificate {Subject} in force (expires {NotAfter:O}); {Authorities} trusted CA certificate(s)")]
    private static partial void LogReloaded(ILogger logger, string subject, DateTimeOffset notAfter, int authorities);

    [LoggerMessage(Level = LogLevel.Error, Message = "TLS files changed but cannot be used ({Part}): {Error}; the certificate in force stays")]
    private static partial void LogReloadFailed(ILogger logger, string part, string error);
}
