using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace K8sReplication.TestKit.Network;

/// <summary>
/// A TCP proxy on 127.0.0.1:0 forwarding to a target, with faults switchable at run time: pass, delay per chunk,
/// drop (blackhole), refuse new connections, and <see cref="CutAll"/> to close every current connection.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, (TcpClient Client, TcpClient Upstream)> _connections = new();
    private readonly Task _acceptLoop;
    private int _nextId;
    private volatile FaultMode _mode = FaultMode.Pass;

    public FaultProxy(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptAsync(_stop.Token);
    }

    /// <summary>Proxy for an http URL's host and port.</summary>
    public static FaultProxy For(Uri target) =>
        new(new IPEndPoint(IPAddress.Parse(target.Host == "localhost" ? "127.0.0.1" : target.Host), target.Port));

    public int Port { get; }

    /// <summary>The proxy's own http URL.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}");

    public TimeSpan Delay { get; set; } = TimeSpan.FromMilliseconds(200);

    public FaultMode Mode
    {
        get => _mode;
        set => _mode = value;
    }

    /// <summary>Number of connections being proxied now.</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Closes every current connection (both ends); new ones follow <see cref="Mode"/>.</summary>
    public void CutAll()
    {
        foreach (var (id, pair) in _connections)
        {
            Close(pair.Client);
            Close(pair.Upstream);
            _connections.TryRemove(id, out _);
        }
    }

    /// <summary>Blackholes and cuts: a partition in one call.</summary>
    public void Partition()
    {
        Mode = FaultMode.Drop;
        CutAll();
    }

    public void Heal() => Mode = FaultMode.Pass;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            if (_mode == FaultMode.Refuse)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                Close(client);
                continue;
            }

            _ = HandleAsync(client, cancellationToken);
        }
    }

    private async Task HandleAsync(TcpClient client, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var upstream = new TcpClient();
        try
        {
            await upstream.ConnectAsync(_target, cancellationToken);
        }
        catch (Exception)
        {
            Close(client);
            Close(upstream);
            return;
        }

        _connections[id] = (client, upstream);
        try
        {
            var a = PumpAsync(client.GetStream(), upstream.GetStream(), cancellationToken);
            var b = PumpAsync(upstream.GetStream(), client.GetStream(), cancellationToken);
            await Task.WhenAny(a, b);
        }
        catch (Exception)
        {
            // A cut or a closed end: the connection is over.
        }
        finally
        {
            _connections.TryRemove(id, out _);
            Close(client);
            Close(upstream);
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            int read;
            try
            {
                read = await from.ReadAsync(buffer, cancellationToken);
            }
            catch (Exception)
            {
                return;
            }

            if (read == 0)
            {
                return;
            }

            switch (_mode)
            {
                case FaultMode.Drop:
                    continue;
                case FaultMode.Delay:
                    await Task.Delay(Delay, cancellationToken);
                    break;
            }

            try
            {
                await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }
            catch (Exception)
            {
                return;
            }
        }
    }

    private static void Close(TcpClient client)
    {
        try
        {
            client.Client.Close(0);
            client.Dispose();
        }
        catch (Exception)
        {
            // Already closed.
        }
    }
}
