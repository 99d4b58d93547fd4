using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using K8sReplication.Kube.Config;
using K8sReplication.Kube.Json;
using K8sReplication.Kube.Models;

namespace K8sReplication.Kube.Client;

/// <summary>
/// A small Kubernetes REST client: typed get/list/watch/create/replace/patch/status/delete over any
/// <see cref="ResourceType{T}"/>. Thread-safe; create one per process and share it.
/// </summary>
public sealed partial class KubeClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly BearerTokenProvider _tokens;
    private readonly KubeClientOptions _options;
    private readonly TimeProvider _time;

    public KubeClient(KubeClientConfig config, KubeClientOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        _options = options ?? new KubeClientOptions();
        _time = timeProvider ?? TimeProvider.System;
        _tokens = new BearerTokenProvider(config.BearerToken, config.BearerTokenFile, _options.TokenRefreshInterval, _time);
        _http = new HttpClient(HttpHandlerFactory.Create(config, _options), disposeHandler: true)
        {
            BaseAddress = config.Server,

            // Per-call timeouts are applied with cancellation tokens so that watches can stay open.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(_options.UserAgent);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    public KubeClientConfig Config { get; }

    /// <summary>The namespace used when a call passes none.</summary>
    public string DefaultNamespace => Config.Namespace;

    internal TimeProvider Time => _time;

    public void Dispose() => _http.Dispose();

    private string? ResolveNamespace<T>(ResourceType<T> type, string? @namespace)
        where T : class, IKubeObject =>
        type.Namespaced ? (string.IsNullOrEmpty(@namespace) ? Config.Namespace : @namespace) : null;

    /// <summary>
    /// Sends one non-watch request and returns the response body. Retries transient failures with jittered backoff:
    /// always for idempotent calls, and for writes only when the server certainly did not act on them. A 401 with a
    /// token file re-reads the token once (rotation) before giving up.
    /// </summary>
    private async Task<byte[]> SendAsync(HttpMethod method, string pathAndQuery, byte[]? body, string? contentType,
        bool idempotent, CancellationToken cancellationToken)
    {
        var refreshedToken = false;
        for (var attempt = 0; ; attempt++)
        {
            KubeApiException failure;
            try
            {
                var (status, bytes) = await SendOnceAsync(method, pathAndQuery, body, contentType, cancellationToken).ConfigureAwait(false);
                if ((int)status is >= 200 and < 300)
                {
                    return bytes;
                }

                if (status == HttpStatusCode.Unauthorized && _tokens.CanRefresh && !refreshedToken)
                {
                    refreshedToken = true;
                    _tokens.Invalidate();
                    attempt--;
                    continue;
                }

                failure = ErrorFrom(method, pathAndQuery, status, bytes);
            }
            catch (KubeApiException ex)
            {
                failure = ex;
            }

            var retryable = failure.IsTransient && (idempotent || failure.NotProcessed);
            if (!retryable || attempt + 1 >= _options.Retry.MaxAttempts)
            {
                throw failure;
            }

            await Task.Delay(RetryDelay(failure, attempt), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private TimeSpan RetryDelay(KubeApiException failure, int attempt)
    {
        var delay = _options.Retry.DelayFor(attempt);
        if (failure.Status?.Details?.RetryAfterSeconds is > 0 and var seconds)
        {
            var hinted = TimeSpan.FromSeconds(Math.Min(seconds, 30));
            return hinted > delay ? hinted : delay;
        }

        return delay;
    }

    private async Task<(HttpStatusCode Status, byte[] Body)> SendOnceAsync(HttpMethod method, string pathAndQuery, byte[]? body,
        string? contentType, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = await CreateRequestAsync(method, pathAndQuery, body, contentType, cancellationToken).ConfigureAwait(false);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            return (response.StatusCode, bytes);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new KubeApiException(
                $"{method} {pathAndQuery}: no complete response within {_options.RequestTimeout.TotalSeconds:0.#}s", 0, null, ex);
        }
        catch (HttpRequestException ex)
        {
            throw ConnectionFailure(method, pathAndQuery, ex);
        }
    }

    private async Task<HttpRequestMessage> CreateRequestAsync(HttpMethod method, string pathAndQuery, byte[]? body,
        string? contentType, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, pathAndQuery);
        var token = await _tokens.GetAsync(cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/json");
        }

        return request;
    }

    private KubeApiException ConnectionFailure(HttpMethod method, string pathAndQuery, HttpRequestException ex) =>
        new($"{method} {pathAndQuery}: cannot reach the API server at {Config.Server} ({ex.Message})", 0, null, ex)
        {
            // A failed connect or name lookup means the request never left this process.
            NotProcessed = ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError,
        };

    /// <summary>Turns an error response into a typed exception, parsing the Status body when there is one.</summary>
    internal static KubeApiException ErrorFrom(HttpMethod method, string pathAndQuery, HttpStatusCode status, byte[] body)
    {
        var parsed = TryParseStatus(body);
        var code = (int)status;
        var message = $"{method} {pathAndQuery}: {code} {parsed?.Reason ?? status.ToString()}"
            + (string.IsNullOrEmpty(parsed?.Message) ? "" : ": " + parsed.Message);
        if (code == 410)
        {
            return new ResourceExpiredException(message, parsed);
        }

        return new KubeApiException(message, code, parsed) { NotProcessed = code == 429 };
    }

    internal static Status? TryParseStatus(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return null;
        }

        try
        {
            var status = JsonSerializer.Deserialize(body, KubeJsonContext.Default.Status);
            return status?.Kind == "Status" || status?.Code is not null ? status : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
