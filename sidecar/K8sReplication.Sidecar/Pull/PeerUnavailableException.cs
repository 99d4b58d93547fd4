namespace K8sReplication.Sidecar.Pull;

/// <summary>A request to a peer failed (network, timeout, 5xx, malformed answer). Transient unless a 4xx.</summary>
internal sealed class PeerUnavailableException : Exception
{
    public PeerUnavailableException()
    {
    }

    public PeerUnavailableException(string message)
        : base(message)
    {
    }

    public PeerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public PeerUnavailableException(string message, int? statusCode, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    public int? StatusCode { get; }

    /// <summary>
    /// Set on a 410 answer to a feed request: the peer collected deletes this member never applied, and this member must
    /// resynchronise; the value is how far the peer applied this member's own changes.
    /// </summary>
    public long? StaleReaderAppliedOwn { get; init; }

    /// <summary>With <see cref="StaleReaderAppliedOwn"/>: the peer's uncertain mark (an HLC; 0 when none or not sent).</summary>
    public long StaleReaderPeerUncertain { get; init; }

    /// <summary>A 4xx answer means we sent something the peer refuses (token, version): retrying will not help soon.</summary>
    public bool IsTransient => StatusCode is null or >= 500;
}
