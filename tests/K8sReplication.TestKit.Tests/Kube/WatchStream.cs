using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace K8sReplication.TestKit.Tests.Kube;

/// <summary>An open watch read line by line in the background; tests take events with a deadline.</summary>
internal sealed class WatchStream : IAsyncDisposable
{
    private readonly Channel<JsonObject> _events = Channel.CreateUnbounded<JsonObject>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    private WatchStream(HttpResponseMessage response)
    {
        Response = response;
        _reader = ReadAsync(response);
    }

    public HttpResponseMessage Response { get; }

    /// <summary>Completes when the server ended the stream; faults with the IO error when the connection was cut.</summary>
    public Task Ended => _reader;

    public static async Task<WatchStream> OpenAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new WatchStream(response);
    }

    public async Task<JsonObject> NextAsync(TimeSpan? timeout = null, Func<JsonObject, bool>? skip = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var next = await _events.Reader.ReadAsync(cts.Token);
            if (skip is null || !skip(next))
            {
                return next;
            }
        }
    }

    public async Task<JsonObject> NextNonBookmarkAsync(TimeSpan? timeout = null) =>
        await NextAsync(timeout, e => e["type"]!.GetValue<string>() == "BOOKMARK");

    private async Task ReadAsync(HttpResponseMessage response)
    {
        try
        {
            using var stream = await response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length > 0)
                {
                    _events.Writer.TryWrite(JsonNode.Parse(line)!.AsObject());
                }
            }
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Response.Dispose();
        try
        {
            await _reader;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException or ObjectDisposedException)
        {
            // Closing the stream is how a watch ends from the client side.
        }

        _stop.Dispose();
    }
}
