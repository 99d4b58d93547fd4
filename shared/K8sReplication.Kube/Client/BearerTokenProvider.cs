namespace K8sReplication.Kube.Client;

/// <summary>
/// Supplies the bearer token. A token file (projected service-account tokens rotate, typically hourly) is re-read
/// when the refresh interval has passed or after the server answered 401, so rotation never needs a restart.
/// </summary>
internal sealed class BearerTokenProvider
{
    private readonly string? _staticToken;
    private readonly string? _file;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private string? _cached;
    private long _readAt;

    public BearerTokenProvider(string? token, string? file, TimeSpan refreshInterval, TimeProvider time)
    {
        _staticToken = string.IsNullOrWhiteSpace(token) ? null : token.Trim();
        _file = string.IsNullOrEmpty(file) ? null : file;
        _refreshInterval = refreshInterval;
        _time = time;
    }

    /// <summary>True when a 401 may be cured by re-reading the token.</summary>
    public bool CanRefresh => _file is not null;

    public async ValueTask<string?> GetAsync(CancellationToken cancellationToken)
    {
        if (_file is null)
        {
            return _staticToken;
        }

        lock (_gate)
        {
            if (_cached is not null && _time.GetElapsedTime(_readAt) < _refreshInterval)
            {
                return _cached;
            }
        }

        string text;
        try
        {
            text = await File.ReadAllTextAsync(_file, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Keep using the last good token while the file is briefly missing during an atomic swap.
            lock (_gate)
            {
                if (_cached is not null)
                {
                    return _cached;
                }
            }

            throw new KubeApiException($"cannot read bearer token file {_file}: {ex.Message}", 0, null, ex);
        }

        lock (_gate)
        {
            _cached = text.Trim();
            _readAt = _time.GetTimestamp();
            return _cached;
        }
    }

    /// <summary>Forces the next <see cref="GetAsync"/> to re-read the file.</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _cached = null;
        }
    }
}
