using k8s.Models;

namespace K8sReplication.Kube.Client;

/// <summary>
/// A failed watch (the one call we make outside the official client's generated operations): the HTTP status and the
/// API's <c>Status</c> body when there was one. StatusCode 0 means no HTTP response (connection failure, timeout, broken
/// stream). Failures of the client's own operations surface as its <c>HttpOperationException</c>; see
/// <see cref="KubeApiErrors"/>.
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

    public KubeApiException(string message, int statusCode, V1Status? status, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Status = status;
    }

    /// <summary>HTTP status code, or 0 when no response was received.</summary>
    public int StatusCode { get; }

    /// <summary>The parsed API Status (code, reason, message, details) when the server sent one.</summary>
    public V1Status? Status { get; }

    /// <summary>Worth retrying after a backoff: throttling, server errors, timeouts, connection failures.</summary>
    public virtual bool IsTransient => KubeApiErrors.IsTransientStatus(StatusCode);
}
