using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Config;
using K8sReplication.Contracts.Health;
using K8sReplication.Contracts.Json;

namespace K8sReplication.Operator.Sidecars;

/// <summary>
/// The operator's only way to talk to sidecars: <c>PUT /v1/config</c> and <c>GET /v1/status</c> on the admin API,
/// with the mesh's bearer token and a short whole-call timeout, so one dead member never holds a reconcile up.
/// </summary>
internal sealed class SidecarClient : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    // Health read leniently: a newer sidecar may report fields this operator does not know yet.
    private static readonly ContractsJsonContext Lenient = new(new JsonSerializerOptions(ContractsJsonContext.Default.Options)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    });

    private readonly HttpClient _http;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    public SidecarClient(TimeSpan? timeout = null, TimeProvider? time = null)
    {
        _timeout = timeout ?? DefaultTimeout;
        _time = time ?? TimeProvider.System;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = _timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("k8srepl-operator");
    }

    /// <exception cref="SidecarRequestException">No answer, or an error status (IsConflict: the member runs a newer generation).</exception>
    public async Task PushConfigAsync(string adminUrl, string? token, SidecarConfig config, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(config, ContractsJsonContext.Default.SidecarConfig);
        using var request = Request(HttpMethod.Put, adminUrl, Paths.Config, token);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <exception cref="SidecarRequestException">No answer, an error status, or a body that is not a health report.</exception>
    public async Task<SidecarHealth> GetStatusAsync(string adminUrl, string? token, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, adminUrl, Paths.Status, token);
        var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize(response.Body, Lenient.SidecarHealth)
                ?? throw new SidecarRequestException($"GET {adminUrl}{Paths.Status}: empty health report", response.Status);
        }
        catch (JsonException ex)
        {
            throw new SidecarRequestException($"GET {adminUrl}{Paths.Status}: not a health report: {ex.Message}", response.Status, ex);
        }
    }

    public void Dispose() => _http.Dispose();

    private static HttpRequestMessage Request(HttpMethod method, string baseUrl, string path, string? token)
    {
        var request = new HttpRequestMessage(method, new Uri(baseUrl.TrimEnd('/') + path));
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    private async Task<SidecarResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var what = $"{request.Method} {request.RequestUri}";
        using var timeout = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                var detail = System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300))).Trim();
                throw new SidecarRequestException($"{what}: {status} {response.ReasonPhrase}" + (detail.Length > 0 ? ": " + detail : ""), status);
            }

            return new SidecarResponse(status, body);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SidecarRequestException($"{what}: no answer within {_timeout.TotalSeconds:0.#}s", 0, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new SidecarRequestException($"{what}: {ex.Message}", 0, ex);
        }
    }

    private sealed record SidecarResponse(int Status, byte[] Body);
}
