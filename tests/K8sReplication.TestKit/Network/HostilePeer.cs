using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace K8sReplication.TestKit.Network;

/// <summary>
/// An HTTP server on 127.0.0.1:0 standing between a victim and a real member. By default it proxies every request
/// (method, path and query, Authorization, Accept-Encoding, body) to <see cref="Upstream"/> and streams the answer
/// back (status, Content-Type, Content-Encoding, Content-Length) without buffering it. A test switches attacks on for
/// a path prefix at any time (thread-safe; the longest matching prefix wins, other paths are still proxied) and
/// <see cref="ProxyAll"/> switches them all off. Requests already being answered finish as they started.
/// </summary>
public sealed class HostilePeer : IAsyncDisposable
{
    private const int ChunkSize = 64 * 1024;
    private static readonly byte[] Spaces = CreateSpaces();

    private readonly WebApplication _app;
    private readonly HttpClient _upstreamClient;
    private readonly ConcurrentDictionary<string, long> _requests = new(StringComparer.Ordinal);
    private ImmutableList<HostileAnswer> _attacks = [];

    private HostilePeer(WebApplication app, Uri url, Uri upstream, HttpClient upstreamClient)
    {
        _app = app;
        Url = url;
        Upstream = upstream;
        _upstreamClient = upstreamClient;
    }

    /// <summary>The server's own URL: give this to the victim as the peer's URL.</summary>
    public Uri Url { get; }

    /// <summary>The real member requests are proxied to.</summary>
    public Uri Upstream { get; }

    /// <summary>Attacks switched on now.</summary>
    public IReadOnlyList<HostileAnswer> Attacks => Volatile.Read(ref _attacks);

    public static async Task<HostilePeer> StartAsync(Uri upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MinResponseDataRate = null;
            k.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var upstreamClient = new HttpClient(new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(3),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        HostilePeer? peer = null;
        app.Run(context => peer!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        peer = new HostilePeer(app, new Uri(address), upstream, upstreamClient);
        return peer;
    }

    /// <summary>The start of a change-feed answer, for bodies that look valid until they never end.</summary>
    public static string FeedStart(string site) => $"{{\"site\":\"{site}\",\"hlc\":1,\"now\":1,\"lastSeq\":1,\"maxSeq\":1,\"changes\":[";

    /// <summary>Requests received so far for exactly this path (no query), attacked or proxied.</summary>
    public long Requests(string path) => _requests.TryGetValue(path, out var n) ? n : 0;

    /// <summary>Switches every attack off: everything is proxied again.</summary>
    public void ProxyAll() => Volatile.Write(ref _attacks, []);

    /// <summary>Switches one attack off.</summary>
    public void Stop(HostileAnswer attack) => ImmutableInterlocked.Update(ref _attacks, list => list.Remove(attack));

    /// <summary>A body of exactly <paramref name="bytes"/> bytes with Content-Length: the JSON start, then spaces.</summary>
    public HostileAnswer HugeBody(string pathPrefix, long bytes, string jsonStart) =>
        Add(new HostileAnswer($"huge body of {bytes} bytes", pathPrefix, async (context, self) =>
        {
            var start = Encoding.UTF8.GetBytes(jsonStart);
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = bytes;
            await WriteAsync(context, self, start);
            for (var left = bytes - start.Length; left > 0; left -= ChunkSize)
            {
                await WriteAsync(context, self, Spaces.AsMemory(0, (int)Math.Min(left, ChunkSize)));
            }
        }));

    /// <summary>
    /// A chunked answer (no Content-Length) that never ends: the JSON start, then spaces until the client hangs up or
    /// <paramref name="cap"/> (default 30 s) has passed.
    /// </summary>
    public HostileAnswer EndlessStream(string pathPrefix, string jsonStart, TimeSpan? cap = null) =>
        Add(new HostileAnswer("endless chunked stream", pathPrefix, async (context, self) =>
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            limit.CancelAfter(cap ?? TimeSpan.FromSeconds(30));
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            await WriteAsync(context, self, Encoding.UTF8.GetBytes(jsonStart), limit.Token);
            while (!limit.IsCancellationRequested)
            {
                await WriteAsync(context, self, Spaces, limit.Token);
            }
        }));

    /// <summary><c>Content-Encoding: gzip</c> with a small body inflating to <paramref name="inflatedBytes"/> (JSON start, then spaces).</summary>
    public HostileAnswer GzipBomb(string pathPrefix, long inflatedBytes, string jsonStart) =>
        Bomb("gzip", CompressionBomb.Gzip(inflatedBytes, jsonStart), inflatedBytes, pathPrefix);

    /// <summary><c>Content-Encoding: br</c> with a small body inflating to <paramref name="inflatedBytes"/> (JSON start, then spaces).</summary>
    public HostileAnswer BrotliBomb(string pathPrefix, long inflatedBytes, string jsonStart) =>
        Bomb("br", CompressionBomb.Brotli(inflatedBytes, jsonStart), inflatedBytes, pathPrefix);

    /// <summary>
    /// Proxies the request (asking for an uncompressed JSON answer: <c>format</c> and <c>version</c> are dropped from the
    /// query), parses the answer as JSON, and sends back what
    /// <paramref name="transform"/> makes of it (it may change the node in place and return it). A body that is not
    /// JSON is passed through unchanged.
    /// </summary>
    public HostileAnswer RewriteJson(string pathPrefix, Func<JsonNode?, JsonNode?> transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        return Add(new HostileAnswer("rewritten JSON", pathPrefix, (context, self) => ProxyAsync(context, self, transform)));
    }

    /// <summary>A fixed answer: status, body and extra headers (Content-Type defaults to application/json).</summary>
    public HostileAnswer Fixed(string pathPrefix, int status, string body, IReadOnlyDictionary<string, string>? headers = null) =>
        Add(new HostileAnswer($"fixed {status} answer", pathPrefix, async (context, self) =>
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }

            context.Response.ContentLength = bytes.Length;
            await WriteAsync(context, self, bytes);
        }));

    public async ValueTask DisposeAsync()
    {
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await _app.StopAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                // Answers still being written are cut: the server is going away.
            }
        }

        await _app.DisposeAsync();
        _upstreamClient.Dispose();
    }

    private HostileAnswer Bomb(string encoding, byte[] body, long inflatedBytes, string pathPrefix) =>
        Add(new HostileAnswer($"{encoding} bomb of {body.Length} bytes inflating to {inflatedBytes}", pathPrefix, async (context, self) =>
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            context.Response.Headers.ContentEncoding = encoding;
            context.Response.ContentLength = body.Length;
            await WriteAsync(context, self, body);
        }));

    private HostileAnswer Add(HostileAnswer attack)
    {
        ImmutableInterlocked.Update(ref _attacks, list => list.RemoveAll(a => a.PathPrefix == attack.PathPrefix).Add(attack));
        return attack;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        _requests.AddOrUpdate(path, 1, (_, n) => n + 1);
        var attack = Volatile.Read(ref _attacks)
            .Where(a => path.StartsWith(a.PathPrefix, StringComparison.Ordinal))
            .MaxBy(a => a.PathPrefix.Length);
        if (attack is not null)
        {
            await attack.ServeAsync(context);
            return;
        }

        try
        {
            await ProxyAsync(context, null, null);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The victim hung up (a long poll it gave up on): nothing to answer.
        }
    }

    private async Task ProxyAsync(HttpContext context, HostileAnswer? self, Func<JsonNode?, JsonNode?>? transform)
    {
        var aborted = context.RequestAborted;
        // A rewrite needs the JSON form of the answer: drop a request for another format (the binary feed), so the
        // upstream answers JSON, as a member of an earlier version would.
        var query = transform is null
            ? context.Request.QueryString.Value
            : QueryString.Create(context.Request.Query.Where(q => q.Key is not ("format" or "version"))).Value;
        var target = new Uri(Upstream, context.Request.Path.Value + query);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), target);
        if (context.Request.Headers.Authorization is { Count: > 0 } authorization)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization.ToString());
        }

        // A rewrite needs the plain JSON; a plain proxy lets the two ends agree on an encoding as they would directly.
        if (transform is null && context.Request.Headers.AcceptEncoding is { Count: > 0 } acceptEncoding)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding.ToString());
        }

        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(context.Request.Body);
            if (context.Request.ContentType is { } contentType)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        HttpResponseMessage response;
        try
        {
            response = await _upstreamClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, aborted);
        }
        catch (HttpRequestException e)
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            await context.Response.WriteAsync($"{{\"error\":{JsonSerializer.Serialize("upstream unreachable: " + e.Message)}}}", aborted);
            return;
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            if (response.Content.Headers.ContentType is { } type)
            {
                context.Response.ContentType = type.ToString();
            }

            if (transform is null)
            {
                if (response.Content.Headers.ContentEncoding.Count > 0)
                {
                    context.Response.Headers.ContentEncoding = string.Join(", ", response.Content.Headers.ContentEncoding);
                }

                if (response.Content.Headers.ContentLength is { } length)
                {
                    context.Response.ContentLength = length;
                }

                await using var body = await response.Content.ReadAsStreamAsync(aborted);
                await body.CopyToAsync(context.Response.Body, aborted);
                return;
            }

            var original = await response.Content.ReadAsByteArrayAsync(aborted);
            byte[] answer;
            try
            {
                var node = transform(JsonNode.Parse(original));
                answer = Encoding.UTF8.GetBytes(node?.ToJsonString() ?? "null");
            }
            catch (JsonException)
            {
                answer = original;
            }

            context.Response.ContentLength = answer.Length;
            await WriteAsync(context, self!, answer);
        }
    }

    private static async Task WriteAsync(HttpContext context, HostileAnswer self, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        var token = cancellationToken.CanBeCanceled ? cancellationToken : context.RequestAborted;
        await context.Response.Body.WriteAsync(bytes, token);
        self.AddBytes(bytes.Length);
    }

    private static byte[] CreateSpaces()
    {
        var spaces = new byte[ChunkSize];
        spaces.AsSpan().Fill((byte)' ');
        return spaces;
    }
}
