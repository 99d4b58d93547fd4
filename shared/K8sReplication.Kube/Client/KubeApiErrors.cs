using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace K8sReplication.Kube.Client;

/// <summary>
/// Reads the official client's <see cref="HttpOperationException"/> as the API meant it: the HTTP code and the
/// Kubernetes <c>Status</c> (reason, message) it carried, so callers branch on codes, never on message text.
/// </summary>
public static class KubeApiErrors
{
    /// <summary>Throttling, server errors, timeouts and connection failures (code 0) are worth a retry after a backoff.</summary>
    public static bool IsTransientStatus(int statusCode) => statusCode is 0 or 429 or 500 or 502 or 503 or 504;

    public static int StatusCode(this HttpOperationException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Response is null ? 0 : (int)exception.Response.StatusCode;
    }

    public static bool IsNotFound(this HttpOperationException exception) => exception.StatusCode() == (int)HttpStatusCode.NotFound;

    public static bool IsConflict(this HttpOperationException exception) => exception.StatusCode() == (int)HttpStatusCode.Conflict;

    /// <summary>The result of a read, or null when the object does not exist (404).</summary>
    public static async Task<T?> NullWhenNotFound<T>(this Task<T> read)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            return await read.ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.IsNotFound())
        {
            return null;
        }
    }

    /// <summary>The Status body of the failed call, when the server sent one.</summary>
    public static V1Status? Status(this HttpOperationException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return ParseStatus(exception.Response?.Content);
    }

    /// <summary>"409 Conflict: the object has been modified ..." — code, reason and message of the failed call.</summary>
    public static string Describe(this HttpOperationException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var status = exception.Status();
        var code = exception.StatusCode();
        var request = exception.Request is { } r ? $"{r.Method} {r.RequestUri?.PathAndQuery}: " : "";
        return $"{request}{code} {status?.Reason ?? exception.Response?.StatusCode.ToString()}"
            + (string.IsNullOrEmpty(status?.Message) ? "" : ": " + status.Message);
    }

    internal static V1Status? ParseStatus(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            var status = KubernetesJson.Deserialize<V1Status>(body);
            return status?.Kind == "Status" || status?.Code is not null ? status : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
