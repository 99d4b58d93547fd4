using K8sReplication.Kube.Models;

namespace K8sReplication.Kube.Client;

/// <summary>
/// A failed API call: the HTTP status and the API's <c>Status</c> body when there was one. StatusCode 0 means no HTTP
/// response (connection failure, timeout, broken stream).
/// </summary>
public class KubeApiException : Exception
{
    public KubeApiException()
        : this("Kubernetes API request failed", 0, null, null)
    {
    }

    public KubeApiException(string message)
        : this(message, 0, null, null)
    {
    }

    public KubeApiException(string message, Exception innerException)
        : this(message, 0, null, innerException)
    {
    }

    public KubeApiException(string message, int statusCode, Status? status, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Status = status;
    }

    /// <summary>HTTP status code, or 0 when no response was received.</summary>
    public int StatusCode { get; }

    /// <summary>The parsed API Status (code, reason, message, details) when the server sent one.</summary>
    public Status? Status { get; }

    /// <summary>The API's machine-readable reason (NotFound, Conflict, Expired, Invalid, ...).</summary>
    public string? Reason => Status?.Reason;

    /// <summary>Worth retrying after a backoff: throttling, server errors, timeouts, connection failures.</summary>
    public virtual bool IsTransient => StatusCode is 0 or 429 or 500 or 502 or 503 or 504;

    public bool IsConflict => StatusCode == 409;

    public bool IsNotFound => StatusCode == 404;

    public bool IsGone => StatusCode == 410;

    /// <summary>
    /// True when the server certainly did not act on the request (no connection, or rejected by throttling), so even a
    /// non-idempotent write may be retried.
    /// </summary>
    public bool NotProcessed { get; init; }
}
