using System.Net;

namespace K8sReplication.Kube.Client;

/// <summary>
/// Retries the official client's calls on transient failures with jittered backoff, honouring the server's
/// <c>Retry-After</c> (header or Status <c>details.retryAfterSeconds</c>, capped): reads always, and writes only when
/// the server certainly did not act on them (429, or no connection was made). Conflicts (409) are never retried here:
/// the caller re-reads and decides again.
/// </summary>
public sealed class RetryHandler : DelegatingHandler
{
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);
    private readonly RetryPolicy _policy;
    private readonly TimeProvider _time;

    public RetryHandler(RetryPolicy policy, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(time);
        _policy = policy;
        _time = time;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var idempotent = request.Method == HttpMethod.Get || request.Method == HttpMethod.Head;
        for (var attempt = 0; ; attempt++)
        {
            var last = attempt + 1 >= _policy.MaxAttempts;
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex) when (!last && (idempotent || NeverSent(ex)))
            {
                await Task.Delay(_policy.DelayFor(attempt), _time, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var code = (int)response.StatusCode;
            if (last || !KubeApiErrors.IsTransientStatus(code) || !(idempotent || response.StatusCode == HttpStatusCode.TooManyRequests))
            {
                return response;
            }

            var delay = await DelayAsync(response, attempt, cancellationToken).ConfigureAwait(false);
            response.Dispose();
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A failed connect or name lookup means the request never left this process.</summary>
    private static bool NeverSent(HttpRequestException ex) =>
        ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError;

    private async Task<TimeSpan> DelayAsync(HttpResponseMessage response, int attempt, CancellationToken cancellationToken)
    {
        var delay = _policy.DelayFor(attempt);
        var hinted = response.Headers.RetryAfter?.Delta;
        if (hinted is null)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (KubeApiErrors.ParseStatus(body)?.Details?.RetryAfterSeconds is > 0 and var seconds)
            {
                hinted = TimeSpan.FromSeconds(seconds);
            }
        }

        if (hinted is { } wanted)
        {
            wanted = wanted < MaxRetryAfter ? wanted : MaxRetryAfter;
            return wanted > delay ? wanted : delay;
        }

        return delay;
    }
}
