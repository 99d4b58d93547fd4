using System.Net;
using System.Threading.Channels;
using K8sReplication.TestKit.Kube.Http;
using K8sReplication.TestKit.Kube.Resources;
using K8sReplication.TestKit.Kube.Storage;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace K8sReplication.TestKit.Kube;

/// <summary>
/// A Kubernetes API server emulator on a real Kestrel listener (127.0.0.1), faithful on what our client, the operator
/// and the real kubectl use: CRUD with resourceVersion and generation, selectors, paging, watch with bookmarks and
/// 410, status subresource, finalizers, owner-reference GC, patches, server-side apply, CRDs with schema validation,
/// discovery, Table output and admission webhooks. State survives <see cref="RestartAsync"/>; every request is recorded.
/// </summary>
public sealed class ApiServerEmulator : IAsyncDisposable
{
    private const int MaxRecordedRequests = 100_000;
    private readonly ApiServerEmulatorOptions _options;
    private readonly ObjectStore _store;
    private readonly ApiRequestHandler _handler;
    private readonly Lock _requestsGate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly Channel<bool> _collectSignal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _disposed = new();
    private readonly Task _collector;
    private WebApplication? _app;
    private CancellationTokenSource _stopping = new();
    private int _port;

    private ApiServerEmulator(ApiServerEmulatorOptions options)
    {
        _options = options;
        _store = new ObjectStore(new ResourceCatalog(), options.TimeProvider, options.HistoryLimit);
        _store.CollectionNeeded += () => _collectSignal.Writer.TryWrite(true);
        Faults = new EmulatorFaults(_store);
        _handler = new ApiRequestHandler(_store, Faults, options, options.TimeProvider, () => AcceptedTokens, Record);
        _collector = CollectGarbageAsync(_disposed.Token);
    }

    public Uri Url => new($"http://127.0.0.1:{_port}");

    public EmulatorFaults Faults { get; }

    /// <summary>Null accepts any (or no) token; otherwise other bearer tokens get 401 Unauthorized.</summary>
    public ISet<string>? AcceptedTokens { get; set; }

    /// <summary>
    /// The bearer token <see cref="WriteKubeconfig"/> writes when given none: clients such as the official .NET client
    /// refuse a kubeconfig user without credentials. Accepted like any token while <see cref="AcceptedTokens"/> is null.
    /// </summary>
    public string KubeconfigToken { get; } = "emulator-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>Watch streams currently open (for leak tests).</summary>
    public int WatchConnections => _handler.WatchConnections;

    /// <summary>Requests served so far (the most recent 100,000), in completion order of their response headers.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requestsGate)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<ApiServerEmulator> StartAsync(ApiServerEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        var emulator = new ApiServerEmulator(options ?? new ApiServerEmulatorOptions());
        try
        {
            await emulator.ListenAsync(emulator._options.Port, cancellationToken);
            return emulator;
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    public void ClearRequests()
    {
        lock (_requestsGate)
        {
            _requests.Clear();
        }
    }

    /// <summary>
    /// Writes a kubeconfig (context "emulator") that kubectl, helm, our client and the official .NET client accept,
    /// authenticating with <paramref name="token"/> or else <see cref="KubeconfigToken"/>; returns <paramref name="path"/>.
    /// </summary>
    public string WriteKubeconfig(string path, string @namespace = "default", string? token = null)
    {
        var user = $"  user:\n    token: \"{token ?? KubeconfigToken}\"";
        var text = $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: emulator
              cluster:
                server: {{Url.ToString().TrimEnd('/')}}
            contexts:
            - name: emulator
              context:
                cluster: emulator
                namespace: {{@namespace}}
                user: emulator
            current-context: emulator
            preferences: {}
            users:
            - name: emulator

            """ + user + "\n";
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Stops listening (open connections are cut), keeps all state, and listens again on the same port.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopListeningAsync(cancellationToken);
        await ListenAsync(_port, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopListeningAsync(CancellationToken.None);
        await _disposed.CancelAsync();
        _collectSignal.Writer.TryComplete();
        await _collector;
        _disposed.Dispose();
    }

    private async Task ListenAsync(int port, CancellationToken cancellationToken)
    {
        _stopping.Dispose();
        _stopping = new CancellationTokenSource();
        _handler.Stopping = _stopping.Token;
        for (var attempt = 0; ; attempt++)
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
            {
                k.Listen(IPAddress.Loopback, port);
                k.Limits.MinResponseDataRate = null;
                k.Limits.MaxRequestBodySize = null;
            });
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
            var app = builder.Build();
            app.Run(_handler.HandleAsync);
            try
            {
                await app.StartAsync(cancellationToken);
            }
            catch (IOException) when (port != 0 && attempt < 50)
            {
                // The old listener's port can take a moment to become bindable again after a restart.
                await app.DisposeAsync();
                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
                continue;
            }

            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            _port = new Uri(address).Port;
            _app = app;
            return;
        }
    }

    private async Task StopListeningAsync(CancellationToken cancellationToken)
    {
        var app = _app;
        _app = null;
        if (app is null)
        {
            return;
        }

        await _stopping.CancelAsync();
        await app.StopAsync(cancellationToken);
        await app.DisposeAsync();
        _stopping.Dispose();
    }

    private void Record(RecordedRequest request)
    {
        lock (_requestsGate)
        {
            // Bounded so a long-running emulator (the apiserver command) does not grow without limit.
            if (_requests.Count >= MaxRecordedRequests)
            {
                _requests.RemoveRange(0, MaxRecordedRequests / 10);
            }

            _requests.Add(request);
        }
    }

    /// <summary>The background garbage collector: runs passes after each signal until a pass changes nothing.</summary>
    private async Task CollectGarbageAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _collectSignal.Reader.WaitToReadAsync(cancellationToken))
            {
                _collectSignal.Reader.TryRead(out _);
                for (var pass = 0; pass < 100 && _store.CollectGarbage(); pass++)
                {
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
}
