using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using K8sReplication.TestKit.Network;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace K8sReplication.TestKit.Tests.Network;

public sealed class HostilePeerTests : IAsyncLifetime
{
    private const string Site = "0123456789abcdef0123456789abcdef";
    private readonly HttpClient _http = new(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }) { Timeout = TimeSpan.FromSeconds(30) };
    private WebApplication _upstream = null!;
    private HostilePeer _peer = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _upstream = builder.Build();
        _upstream.Run(EchoAsync);
        await _upstream.StartAsync();
        var address = _upstream.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _peer = await HostilePeer.StartAsync(new Uri(address));
    }

    public async Task DisposeAsync()
    {
        await _peer.DisposeAsync();
        await _upstream.StopAsync();
        await _upstream.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task Proxy_ForwardsMethodPathAuthorizationAndBody_AndCountsRequests()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_peer.Url, "/v1/rows?x=1"))
        {
            Content = new StringContent("{\"table\":\"items\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "tok");
        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var echo = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("POST", (string?)echo["method"]);
        Assert.Equal("/v1/rows?x=1", (string?)echo["target"]);
        Assert.Equal("Bearer tok", (string?)echo["authorization"]);
        Assert.Equal("{\"table\":\"items\"}", (string?)echo["body"]);
        Assert.Equal(1, _peer.Requests("/v1/rows"));
        Assert.Equal(0, _peer.Requests("/v1/changes"));
    }

    [Fact]
    public async Task Proxy_StreamsTheAnswer_WithoutWaitingForItsEnd()
    {
        // The upstream is itself a hostile peer streaming for ever: a buffering proxy would never answer.
        await using var endless = await HostilePeer.StartAsync(new Uri("http://127.0.0.1:1"));
        var stream = endless.EndlessStream("/", "{\"start\":[", TimeSpan.FromSeconds(20));
        await using var front = await HostilePeer.StartAsync(endless.Url);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var response = await _http.GetAsync(new Uri(front.Url, "/v1/changes"), HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Null(response.Content.Headers.ContentLength);
        var read = await ReadUpToAsync(response, 4 << 20, cts.Token);
        Assert.Equal(4 << 20, read.Count);
        Assert.StartsWith("{\"start\":[", Encoding.UTF8.GetString(read.First));
        Assert.Equal(0, stream.Served);
    }

    [Fact]
    public async Task HugeBody_SendsExactlyNBytes_WithContentLength_OnlyUnderItsPrefix()
    {
        var start = HostilePeer.FeedStart(Site);
        var attack = _peer.HugeBody("/v1/changes", 20 << 20, start);

        using var response = await _http.GetAsync(new Uri(_peer.Url, "/v1/changes?after=0"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(20 << 20, response.Content.Headers.ContentLength);
        var read = await ReadUpToAsync(response, long.MaxValue, CancellationToken.None);
        Assert.Equal(20 << 20, read.Count);
        Assert.StartsWith(start, Encoding.UTF8.GetString(read.First));
        await Eventually.TrueAsync(() => attack.Served == 1, TimeSpan.FromSeconds(5), "the huge body counted as served");

        using var schema = await _http.GetAsync(new Uri(_peer.Url, "/v1/schema"));
        Assert.Equal("GET", (string?)JsonNode.Parse(await schema.Content.ReadAsStringAsync())!["method"]);

        _peer.ProxyAll();
        using var again = await _http.GetAsync(new Uri(_peer.Url, "/v1/changes"));
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
    }

    [Fact]
    public async Task EndlessStream_IsChunked_AndEndsWhenTheClientLeaves()
    {
        var attack = _peer.EndlessStream("/v1/changes", HostilePeer.FeedStart(Site));
        using (var response = await _http.GetAsync(new Uri(_peer.Url, "/v1/changes"), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Null(response.Content.Headers.ContentLength);
            Assert.True(response.Headers.TransferEncodingChunked);
            var read = await ReadUpToAsync(response, 16 << 20, CancellationToken.None);
            Assert.Equal(16 << 20, read.Count);
        }

        await Eventually.TrueAsync(() => attack.Served == 1, TimeSpan.FromSeconds(10), "the stream ended once the client left");
        Assert.True(attack.BytesWritten >= 16 << 20, attack.ToString());
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task CompressionBomb_IsSmall_AndInflatesToTheAnnouncedSize(string encoding)
    {
        const long inflated = 512L << 20;
        var start = HostilePeer.FeedStart(Site);
        var attack = encoding == "gzip" ? _peer.GzipBomb("/v1/changes", inflated, start) : _peer.BrotliBomb("/v1/changes", inflated, start);

        using var response = await _http.GetAsync(new Uri(_peer.Url, "/v1/changes"));
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(encoding, Assert.Single(response.Content.Headers.ContentEncoding));
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        Assert.InRange(body.Length, 1, 1 << 20);
        Assert.Equal(inflated, CompressionBomb.InflatedSize(body, encoding));
        await Eventually.TrueAsync(() => attack.Served == 1, TimeSpan.FromSeconds(5), "the bomb counted as served");
    }

    [Fact]
    public async Task RewriteJson_TransformsTheProxiedAnswer_AndFixedAnswersAsTold()
    {
        _peer.RewriteJson("/v1/changes", node =>
        {
            node!["changes"] = null;
            return node;
        });
        _peer.Fixed("/v1/merkle", 418, "{\"teapot\":true}", new Dictionary<string, string> { ["X-Hostile"] = "yes" });

        using var changes = await _http.GetAsync(new Uri(_peer.Url, "/v1/changes?after=3"));
        var rewritten = JsonNode.Parse(await changes.Content.ReadAsStringAsync())!.AsObject();
        Assert.True(rewritten.ContainsKey("changes"));
        Assert.Null(rewritten["changes"]);
        Assert.Equal("/v1/changes?after=3", (string?)rewritten["target"]);

        using var merkle = await _http.GetAsync(new Uri(_peer.Url, "/v1/merkle/nodes?path="));
        Assert.Equal((HttpStatusCode)418, merkle.StatusCode);
        Assert.Equal("yes", merkle.Headers.GetValues("X-Hostile").Single());
        Assert.Equal("{\"teapot\":true}", await merkle.Content.ReadAsStringAsync());

        using var schema = await _http.GetAsync(new Uri(_peer.Url, "/v1/schema"));
        Assert.Equal("GET", (string?)JsonNode.Parse(await schema.Content.ReadAsStringAsync())!["method"]);
        Assert.Equal(2, _peer.Attacks.Count);
    }

    private static async Task EchoAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["method"] = context.Request.Method,
            ["target"] = context.Request.Path + context.Request.QueryString,
            ["authorization"] = context.Request.Headers.Authorization.ToString(),
            ["body"] = body,
        }));
    }

    private static async Task<(long Count, byte[] First)> ReadUpToAsync(HttpResponseMessage response, long limit, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[64 * 1024];
        byte[]? first = null;
        long total = 0;
        while (total < limit)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - total)), cancellationToken);
            if (read == 0)
            {
                break;
            }

            first ??= buffer[..Math.Min(read, 256)];
            total += read;
        }

        return (total, first ?? []);
    }
}
