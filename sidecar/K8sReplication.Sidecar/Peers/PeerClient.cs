using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Wire;
using K8sReplication.Sidecar.Metrics;
using K8sReplication.Sidecar.Security;

namespace K8sReplication.Sidecar.Peers;

/// <summary>
/// Typed calls to one peer's replication API. Every call is counted (<c>replication_peer_requests_total</c>),
/// authenticated with the mesh token, bounded by a deadline, and turns every failure into
/// <see cref="PeerUnavailableException"/>. Answers are read fully, so byte counts are the decoded JSON size.
/// </summary>
internal sealed class PeerClient(HttpClient http, PeerState peer, BearerTokenAuthenticator auth, SidecarMetrics metrics, TimeProvider time)
{
    /// <summary>Deadline of a request beyond its long-poll wait.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    public PeerState Peer => peer;

    public Task<(SchemaResponse Value, long Bytes)> GetSchemaAsync(CancellationToken cancellationToken) =>
        SendAsync("schema", HttpMethod.Get, Paths.Schema, null, WireJsonContext.Default.SchemaResponse, TimeSpan.Zero, cancellationToken);

    public Task<(ChangesResponse Value, long Bytes)> GetChangesAsync(long after, int limit, TimeSpan wait, string? origin, CancellationToken cancellationToken)
    {
        var query = string.Create(CultureInfo.InvariantCulture, $"{Paths.Changes}?after={after}&limit={limit}&wait={(long)wait.TotalMilliseconds}");
        if (origin is not null)
        {
            query += "&origin=" + origin;
        }

        return SendAsync("changes", HttpMethod.Get, query, null, WireJsonContext.Default.ChangesResponse, wait, cancellationToken);
    }

    public Task<(MerkleRootResponse Value, long Bytes)> GetMerkleRootAsync(CancellationToken cancellationToken) =>
        SendAsync("merkle", HttpMethod.Get, Paths.Merkle, null, WireJsonContext.Default.MerkleRootResponse, TimeSpan.Zero, cancellationToken);

    public Task<(MerkleNodesResponse Value, long Bytes)> GetMerkleNodesAsync(string path, CancellationToken cancellationToken) =>
        SendAsync("merkle_nodes", HttpMethod.Get, Paths.MerkleNodes + "?path=" + path, null, WireJsonContext.Default.MerkleNodesResponse, TimeSpan.Zero, cancellationToken);

    public Task<(MerkleLeafResponse Value, long Bytes)> GetMerkleLeafAsync(int leaf, CancellationToken cancellationToken) =>
        SendAsync("merkle_leaves", HttpMethod.Get, Paths.MerkleLeaves + "/" + leaf.ToString(CultureInfo.InvariantCulture), null, WireJsonContext.Default.MerkleLeafResponse, TimeSpan.Zero, cancellationToken);

    public Task<(RowsResponse Value, long Bytes)> PostRowsAsync(RowsRequest request, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, WireJsonContext.Default.RowsRequest);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return SendAsync("rows", HttpMethod.Post, Paths.Rows, content, WireJsonContext.Default.RowsResponse, TimeSpan.Zero, cancellationToken);
    }

    private async Task<(T Value, long Bytes)> SendAsync<T>(string endpoint, HttpMethod method, string pathAndQuery, HttpContent? content,
        JsonTypeInfo<T> typeInfo, TimeSpan wait, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait + RequestTimeout);
        using var request = new HttpRequestMessage(method, new Uri(peer.Settings.Url, pathAndQuery)) { Content = content };
        if (auth.Token is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var sentAt = time.GetUtcNow();
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new PeerUnavailableException(
                    $"{endpoint}: HTTP {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(bytes.AsSpan(0, Math.Min(bytes.Length, 300)))}",
                    (int)response.StatusCode);
            }

            var value = JsonSerializer.Deserialize(bytes, typeInfo) ?? throw new PeerUnavailableException($"{endpoint}: empty answer");
            if (value is ChangesResponse changes)
            {
                // Skew = peer clock minus ours when the peer answered: the midpoint of a plain request, the receive
                // time of a long-poll (the peer answered at an unknown point of the wait; error about one-way latency).
                var receivedAt = time.GetUtcNow();
                var at = wait == TimeSpan.Zero ? sentAt + ((receivedAt - sentAt) / 2) : receivedAt;
                peer.ObserveSkew(changes.Now - at.ToUnixTimeMilliseconds());
            }

            metrics.PeerRequests.Add(1, Tags(endpoint, "success"));
            return (value, bytes.LongLength);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or JsonException or PeerUnavailableException)
        {
            metrics.PeerRequests.Add(1, Tags(endpoint, e is PeerUnavailableException { StatusCode: < 500 } ? "rejected" : "error"));
            throw e as PeerUnavailableException ?? new PeerUnavailableException($"{endpoint}: {Describe(e)}", null, e);
        }
    }

    private static string Describe(Exception e) => e switch
    {
        OperationCanceledException => "timed out",
        JsonException j => "malformed answer: " + j.Message,
        _ => e.InnerException is { } inner ? e.Message + " (" + inner.Message + ")" : e.Message,
    };

    private KeyValuePair<string, object?>[] Tags(string endpoint, string outcome) =>
    [
        new("peer", peer.Name),
        new("endpoint", endpoint),
        new("outcome", outcome),
    ];
}
