namespace K8sReplication.Operator.Sidecars;

/// <summary>A call to a sidecar's admin API failed: no answer in time, no connection, or an error status.</summary>
internal sealed class SidecarRequestException : Exception
{
    public SidecarRequestException()
    {
    }

    public SidecarRequestException(string message)
        : base(message)
    {
    }

    public SidecarRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SidecarRequestException(string message, int statusCode, Exception? innerException = null)
        : base(message, innerException) => StatusCode = statusCode;

    /// <summary>HTTP status, or 0 when there was no response.</summary>
    public int StatusCode { get; }

    /// <summary>The sidecar runs a newer config generation than the one pushed.</summary>
    public bool IsConflict => StatusCode == 409;

    public bool IsTransient => StatusCode is 0 or 429 or >= 500;
}
