using System.Net;
using System.Net.Sockets;
using System.Text;

namespace K8sReplication.Sidecar.Tests.Backup;

/// <summary>
/// A stand-in S3 endpoint on 127.0.0.1:0 that behaves as real S3 when another writer won a conditional write: HEAD
/// answers 404 (the object was not there yet) and PUT answers 412 PreconditionFailed. It records the PUT's headers.
/// s3rver cannot play this part: it ignores If-None-Match.
/// </summary>
public sealed class ConditionalPutRefusingEndpoint : IDisposable
{
    private const string PreconditionFailed =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>PreconditionFailed</Code>"
        + "<Message>At least one of the pre-conditions you specified did not hold</Message><Condition>If-None-Match</Condition></Error>";

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public ConditionalPutRefusingEndpoint()
    {
        _listener.Start();
        _serving = ServeAsync(_stop.Token);
    }

    public string Endpoint => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Headers of the last PUT (names lower-cased).</summary>
    public IReadOnlyDictionary<string, string> PutHeaders { get; private set; } = new Dictionary<string, string>();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _serving.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // the accept loop ends with the listener
        }

        _stop.Dispose();
    }

    private async Task ServeAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            using (client)
            {
                await AnswerAsync(client.GetStream(), ct);
            }
        }
    }

    /// <summary>Answers requests on one connection until the client closes it or a PUT was refused.</summary>
    private async Task AnswerAsync(NetworkStream stream, CancellationToken ct)
    {
        using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
        while (await reader.ReadLineAsync(ct) is { Length: > 0 } requestLine)
        {
            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            while (await reader.ReadLineAsync(ct) is { Length: > 0 } line)
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
            }

            if (requestLine.StartsWith("PUT ", StringComparison.Ordinal))
            {
                // Answered before the body is read (as S3 does for a failed precondition), then the connection closes.
                PutHeaders = headers;
                var body = Encoding.UTF8.GetBytes(PreconditionFailed);
                await stream.WriteAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 412 Precondition Failed\r\nContent-Type: application/xml\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), ct);
                await stream.WriteAsync(body, ct);
                return;
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"), ct);
        }
    }
}
