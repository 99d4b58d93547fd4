using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json;
using System.Text;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Wire;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Metrics;
using K8sReplication.Sidecar.Security;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Wire;

namespace K8sReplication.Sidecar.Pull;

/// <summary>
/// Typed calls to one peer's replication API. Every call is counted (<c>replication_peer_requests_total</c>),
/// authenticated with the mesh token and bounded by a deadline. Answers are untrusted: each body is read as a stream
/// through byte limits below and above the decompressor (<see cref="PeerAnswerLimits"/>), decoded incrementally, and
/// checked by <see cref="PeerAnswers"/> before the caller sees it. Network failures surface as
/// <see cref="PeerUnavailableException"/>, refused answers as <see cref="PeerAnswerRejectedException"/>; byte counts
/// are the decoded size.
/// </summary>
internal sealed partial class PeerClient(PeerHttp http, PeerState peer, BearerTokenAuthenticator auth, SidecarMetrics metrics, LiveConfig config, TimeProvider time)
{
    /// <summary>Deadline of a request beyond its long-poll wait.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Year 9999 in Unix milliseconds: a peer's clock reading beyond it is not used.</summary>
    private const long PlausibleClockMs = 253_402_300_799_000;

    /// <summary>How much of an error answer is read for the message.</summary>
    private const int ErrorBodyBytes = 4096;

    /// <summary>How long a peer that refused the newest feed version is asked for the oldest before trying again.</summary>
    private static readonly TimeSpan OlderFeedFor = TimeSpan.FromMinutes(5);

    /// <summary>Until when (a <see cref="TimeProvider"/> timestamp) this peer is asked for the oldest feed version.</summary>
    private long olderFeedUntil;

    private readonly PeerMetrics peerMetrics = metrics.ForPeer(peer.Name);

    public PeerState Peer => peer;

    private PeerAnswerLimits Limits => PeerAnswerLimits.From(config.Current);

    public async Task<(SiteId Site, IReadOnlyDictionary<string, string> Tables, long Bytes)> GetSchemaAsync(CancellationToken cancellationToken)
    {
        var ((site, tables), bytes) = await SendAsync("schema", HttpMethod.Get, Paths.Schema, null, WireJsonContext.Default.SchemaResponse, Limits.Small,
            PeerAnswers.Schema, cancellationToken);
        return (site, tables, bytes);
    }

    /// <summary>
    /// One feed page after <paramref name="after"/>: validated changes plus the answer's cursor fields. Asks for the
    /// binary format's newest version; a member that refuses it (400: an earlier version that speaks only the
    /// oldest) is asked for the oldest for a while, and a member that answers JSON (earlier still, it
    /// ignores <c>format</c>) is read as JSON.
    /// </summary>
    /// <param name="after">The cursor: the page holds changes after it.</param>
    /// <param name="limit">Most changes asked for.</param>
    /// <param name="wait">How long the peer may wait for changes.</param>
    /// <param name="origin">Only changes this site wrote, or all.</param>
    /// <param name="reader">This member's site and how far it has applied the peer's feed (every change up to that
    /// seq; below <paramref name="after"/> while a page is being applied or a table is held back): the peer computes
    /// its collection horizon from its readers' reports.</param>
    /// <param name="cancellationToken">Ends the request.</param>
    public async Task<FeedPage> GetChangesAsync(long after, int limit, TimeSpan wait, SiteId? origin, (SiteId Site, long Applied)? reader,
        CancellationToken cancellationToken)
    {
        var version = time.GetTimestamp() < Volatile.Read(ref olderFeedUntil) ? FeedFormat.OldestVersion : FeedFormat.Version;
        try
        {
            return await GetChangesAsync(after, limit, wait, origin, reader, version, cancellationToken);
        }
        catch (PeerUnavailableException e) when (version > FeedFormat.OldestVersion && e.StatusCode == StatusCodes.Status400BadRequest)
        {
            // Any refusal is answered by asking in the oldest version: a request it still refuses fails as it would have.
            Volatile.Write(ref olderFeedUntil, time.GetTimestamp() + (long)(OlderFeedFor.TotalSeconds * time.TimestampFrequency));
            return await GetChangesAsync(after, limit, wait, origin, reader, FeedFormat.OldestVersion, cancellationToken);
        }
    }

    private async Task<FeedPage> GetChangesAsync(long after, int limit, TimeSpan wait, SiteId? origin, (SiteId Site, long Applied)? reader,
        int version, CancellationToken cancellationToken)
    {
        var settings = config.Current;
        var query = string.Create(CultureInfo.InvariantCulture,
            $"{Paths.Changes}?after={after}&limit={limit}&wait={(long)wait.TotalMilliseconds}&maxBytes={settings.MaxBatchBytes}&format={FeedFormat.QueryValue}&version={version}");
        if (origin is { } site)
        {
            query += "&origin=" + site;
        }

        if (reader is { } r)
        {
            query += string.Create(CultureInfo.InvariantCulture, $"&reader={r.Site}&applied={Math.Min(r.Applied, after)}");
        }

        var limits = Limits;
        var sentAt = time.GetUtcNow();
        var (frame, bytes) = await SendAsync("changes", HttpMethod.Get, query, null, wait, async (response, token) =>
        {
            var (frame, bytes) = await ReadFeedAsync(response, limits.Feed, limit, token);
            PeerAnswers.Page(frame.Changes, frame.LastSeq, frame.MaxSeq, after, limit, settings.MaxRowBytes);
            return (frame, bytes);
        }, cancellationToken);
        var receivedAt = time.GetUtcNow();

        // Skew = peer clock minus ours when the peer answered: the midpoint of a plain request, the receive time of a
        // long-poll (the peer answered at an unknown point of the wait; error about one-way latency). Only from an
        // answer that passed its checks, and only a clock reading that is a plausible Unix time.
        var at = wait == TimeSpan.Zero ? sentAt + ((receivedAt - sentAt) / 2) : receivedAt;
        if (frame.Now is > 0 and < PlausibleClockMs)
        {
            peer.ObserveSkew(frame.Now - at.ToUnixTimeMilliseconds());
        }
        return new FeedPage(frame.Site, frame.Changes, frame.LastSeq, frame.MaxSeq, bytes, frame.Horizon);
    }

    private static async Task<(FeedFrame Frame, long Bytes)> ReadFeedAsync(HttpResponseMessage response, long limit, int maxChanges, CancellationToken cancellationToken)
    {
        var headers = response.Content.Headers;
        if (headers.ContentType?.MediaType is FeedFormat.ContentType)
        {
            await using var body = PeerAnswerDecoder.Open(await response.Content.ReadAsStreamAsync(cancellationToken), headers.ContentLength, headers.ContentEncoding, limit);
            var frame = await FeedFrameReader.ReadAsync(body, limit, cancellationToken, maxChanges);
            return (frame, body.BytesRead);
        }

        var (answer, bytes) = await PeerAnswerDecoder.DecodeAsync(await response.Content.ReadAsStreamAsync(cancellationToken),
            headers.ContentLength, headers.ContentEncoding, limit, WireJsonContext.Default.ChangesResponse, cancellationToken);
        var changes = PeerAnswers.FeedChanges(answer);
        return (new FeedFrame(SiteId.Parse(answer.Site), answer.Hlc, answer.Now, changes, answer.LastSeq, answer.MaxSeq), bytes);
    }

    public async Task<(byte[] Root, int Depth, long Bytes)> GetMerkleRootAsync(CancellationToken cancellationToken)
    {
        var ((root, depth), bytes) = await SendAsync("merkle", HttpMethod.Get, Paths.Merkle, null, WireJsonContext.Default.MerkleRootResponse, Limits.Small,
            answer => (PeerAnswers.Root(answer), answer.Depth), cancellationToken);
        return (root, depth, bytes);
    }

    public async Task<(List<byte[]> Children, long Bytes)> GetMerkleNodesAsync(string path, CancellationToken cancellationToken)
    {
        return await SendAsync("merkle_nodes", HttpMethod.Get, Paths.MerkleNodes + "?path=" + path, null, WireJsonContext.Default.MerkleNodesResponse, Limits.Small,
            answer => PeerAnswers.Children(answer, path), cancellationToken);
    }

    public async Task<(List<LeafEntry> Entries, long Bytes)> GetMerkleLeafAsync(int leaf, CancellationToken cancellationToken)
    {
        return await SendAsync("merkle_leaves", HttpMethod.Get, Paths.MerkleLeaves + "/" + leaf.ToString(CultureInfo.InvariantCulture), null,
            WireJsonContext.Default.MerkleLeafResponse, Limits.Leaf, answer => PeerAnswers.Leaf(answer, leaf), cancellationToken);
    }

    public async Task<(List<Change> Rows, long Bytes)> PostRowsAsync(string table, IReadOnlyList<byte[]> keys, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new RowsRequest { Table = table, Keys = keys }, WireJsonContext.Default.RowsRequest);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var maxRowBytes = config.Current.MaxRowBytes;
        return await SendAsync("rows", HttpMethod.Post, Paths.Rows, content, WireJsonContext.Default.RowsResponse, Limits.Feed,
            answer => PeerAnswers.Rows(answer, table, keys, maxRowBytes), cancellationToken);
    }

    /// <summary>
    /// Counts one refused answer (<c>replication_batches_rejected_total</c>). The loops count what they catch, wherever
    /// it was found: here, in the site binding or in the store.
    /// </summary>
    public void CountRejected(string reason) =>
        peerMetrics.BatchesRejected(reason).Inc();

    private static PeerAnswerRejectedException Rejected(string endpoint, PeerAnswerRejectedException e)
    {
        return new PeerAnswerRejectedException(e.Reason, $"{endpoint}: {e.Message}", e);
    }

    /// <summary>A JSON call: the answer is decoded under <paramref name="limit"/> and checked by <paramref name="check"/>.</summary>
    private Task<(TResult Value, long Bytes)> SendAsync<T, TResult>(string endpoint, HttpMethod method, string pathAndQuery, HttpContent? content,
        JsonTypeInfo<T> typeInfo, long limit, Func<T, TResult> check, CancellationToken cancellationToken) =>
        SendAsync(endpoint, method, pathAndQuery, content, TimeSpan.Zero, async (response, token) =>
            {
                var (answer, bytes) = await PeerAnswerDecoder.DecodeAsync(await response.Content.ReadAsStreamAsync(token),
                    response.Content.Headers.ContentLength, response.Content.Headers.ContentEncoding, limit, typeInfo, token);
                return (check(answer), bytes);
            },
            cancellationToken);

    /// <summary>
    /// The one request path: deadline, authentication, compression asked for, <paramref name="decode"/> (which reads
    /// and checks the answer), accounting (a refused answer counts as <c>rejected</c>, not <c>success</c>) and the
    /// mapping of every failure to <see cref="PeerUnavailableException"/> or <see cref="PeerAnswerRejectedException"/>.
    /// </summary>
    private async Task<(T Value, long Bytes)> SendAsync<T>(string endpoint, HttpMethod method, string pathAndQuery, HttpContent? content,
        TimeSpan wait, Func<HttpResponseMessage, CancellationToken, Task<(T Value, long Bytes)>> decode, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait + RequestTimeout);
        using var request = new HttpRequestMessage(method, new Uri(peer.Settings.Url, pathAndQuery)) { Content = content };
        if (auth.Token is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (config.Current.Compression is { } encoding)
        {
            request.Headers.AcceptEncoding.ParseAdd(encoding);
        }

        try
        {
            using var response = await http.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.StatusCode == System.Net.HttpStatusCode.Gone && endpoint == "changes")
            {
                var (gone, _) = await PeerAnswerDecoder.DecodeAsync(await response.Content.ReadAsStreamAsync(timeout.Token),
                    response.Content.Headers.ContentLength, response.Content.Headers.ContentEncoding, ErrorBodyBytes,
                    WireJsonContext.Default.StaleReaderResponse, timeout.Token);
                throw new PeerUnavailableException($"{endpoint}: HTTP 410 {InputQuote.Clean(gone.Error, 300)}", StatusCodes.Status410Gone)
                {
                    StaleReaderAppliedOwn = Math.Max(0, gone.AppliedYours),
                    StaleReaderPeerUncertain = Math.Max(0, gone.Uncertain),
                };
            }

            if (!response.IsSuccessStatusCode)
            {
                var error = await ReadErrorAsync(response, timeout.Token);
                throw new PeerUnavailableException($"{endpoint}: HTTP {(int)response.StatusCode} {error}", (int)response.StatusCode);
            }

            var (value, bytes) = await decode(response, timeout.Token);
            peerMetrics.Requests(endpoint, "success").Inc();
            peerMetrics.AnswerBytes(endpoint).Inc(bytes);
            return (value, bytes);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (PeerAnswerRejectedException e)
        {
            peerMetrics.Requests(endpoint, "rejected").Inc();
            throw Rejected(endpoint, e);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or PeerUnavailableException)
        {
            peerMetrics.Requests(endpoint, e is PeerUnavailableException { StatusCode: < 500 } ? "rejected" : "error").Inc();
            throw e as PeerUnavailableException ?? new PeerUnavailableException($"{endpoint}: {Describe(e)}", null, e);
        }
    }

    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[ErrorBodyBytes];
            var total = 0;
            int n;
            while (total < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
            {
                total += n;
            }

            // Error text is meant for logs and status: compressed or binary bodies are not worth decoding.
            return response.Content.Headers.ContentEncoding.Count > 0 ? "(compressed body)" : InputQuote.Clean(Encoding.UTF8.GetString(buffer, 0, total), 300);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return "(body unreadable)";
        }
    }

    private static string Describe(Exception e) => e switch
    {
        OperationCanceledException => "timed out",
        _ => e.InnerException is { } inner ? e.Message + " (" + inner.Message + ")" : e.Message,
    };
}
