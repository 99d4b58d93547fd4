using System.IO.Compression;
using System.Net;
using System.Text.Json;
using K8sReplication.Observability.Hosting;
using K8sReplication.Sidecar.Capture;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Engine;
using K8sReplication.Sidecar.Metrics;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Repair;
using K8sReplication.Sidecar.Resilience;
using K8sReplication.Sidecar.Security;
using K8sReplication.Sidecar.Serve;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Streams;
using K8sReplication.Sidecar.Wire;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace K8sReplication.Sidecar.Hosting;

/// <summary>
/// Builds and runs the sidecar: one Kestrel host with the replication and admin listeners, the engine and its
/// loops as hosted services. Prints the listening line once both ports are bound; SIGTERM drains (waits up to
/// <c>drainTimeout</c> for a peer to fetch every local change, see <see cref="DrainService"/>) and exits 0.
/// </summary>
internal static partial class SidecarHost
{
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Runs until shutdown. Throws <see cref="ConfigRejectedException"/> before anything starts when the TLS files
    /// cannot be used.
    /// </summary>
    public static async Task<int> RunAsync(LiveConfig config, CancellationToken cancellationToken)
    {
        var settings = config.Current;
        await SidecarTls.WaitForIssuedAsync(settings, SidecarDefaults.TlsIssueWait, TimeProvider.System, Console.Error, cancellationToken)
            .ConfigureAwait(false);
        var tlsMaterial = SidecarTls.LoadAtStart(settings);

        // The app first: where it shares CPUs with the sidecar in one cgroup, its threads run before ours.
        ThreadPriority.Lower(settings.Niceness);
        var builder = ServiceHostBuilder.CreateSlim();
        SidecarLogging.Configure(builder.Logging);
        ListenOptions? replication = null;
        ListenOptions? admin = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = SidecarDefaults.MaxRequestBodyBytes * 2;
            kestrel.Listen(settings.Listen.Address, settings.Listen.Port, o =>
            {
                replication = o;
                if (tlsMaterial is not null)
                {
                    SidecarTls.UseMutualTls(o, o.ApplicationServices.GetRequiredService<CertificateReloader>());
                }
            });
            kestrel.Listen(settings.AdminListen.Address, settings.AdminListen.Port, o => admin = o);
        });

        var services = builder.Services;
        SidecarTls.AddServices(services, tlsMaterial, settings.Tls);
        services.AddSingleton(sp => new PeerHttp(sp.GetService<CertificateReloader>(), sp.GetRequiredService<TimeProvider>()));

        // The drain runs inside the shutdown; the rest of the shutdown keeps its own time after it.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout + settings.DrainTimeout);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(config);
        services.AddSingleton(new BearerTokenAuthenticator(settings.TokenFile));
        services.AddSingleton<ListenerPorts>();
        services.AddSingleton<ChangeSignal>();
        services.AddSingleton<FeedAnswerCache>();
        services.AddSingleton<SidecarMetrics>();
        services.AddSingleton<EngineStateMachine>();
        services.AddSingleton<StoreAccess>();
        services.AddSingleton<StoreStatus>();
        services.AddSingleton<DatabaseCircuit>();
        services.AddSingleton<BatchApplier>();
        services.AddSingleton<ReplicationEngine>();
        services.AddHostedService(sp => sp.GetRequiredService<ReplicationEngine>());
        services.AddSingleton<AntiEntropyTrigger>();
        services.AddSingleton<PeerSupervisor>();
        services.AddHostedService(sp => sp.GetRequiredService<PeerSupervisor>());
        services.AddHostedService<FoldLoop>();
        services.AddHostedService<CheckpointLoop>();
        services.AddHostedService<ConflictLogPruner>();
        services.AddHostedService<TombstoneCollection>();
        services.AddHostedService<BackupService>();
        if (settings.Redis is { } redis)
        {
            // The transport is chosen at start: its link is shared by the publisher, the tailers and status.
            services.AddSingleton(sp => new RedisLink(redis, sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<StreamPublisher>();
            services.AddHostedService(sp => sp.GetRequiredService<StreamPublisher>());
        }

        services.AddHostedService<ConfigFileWatcher>();
        services.AddSingleton<DeliveryTracker>();
        services.AddSingleton<DrainState>();

        // Drains in the host's stopping phase, before any service (the web server included) stops.
        services.AddHostedService<DrainService>();
        services.AddSingleton<HealthReporter>();
        MetricsEndpoint.AddServices(services);
        services.AddResponseCompression(o =>
        {
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
            o.MimeTypes = ["application/json", FeedFormat.ContentType];
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);

        await using var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("K8sReplication.Sidecar");
        var metrics = app.Services.GetRequiredService<SidecarMetrics>();
        metrics.ObserveState(app.Services.GetRequiredService<HealthReporter>());
        var tls = app.Services.GetService<CertificateReloader>();
        if (tls is not null)
        {
            metrics.ObserveTls(() => tls.Current.NotAfter.ToUnixTimeSeconds(), () => tls.Reloads, () => tls.Failures);
        }

        // Known before the first connection: a guarded admin endpoint must never be open on the admin port of a TLS member.
        app.Services.GetRequiredService<ListenerPorts>().ReplicationTls = tls is not null;

        app.UseResponseCompression();
        app.UseMiddleware<ApiMiddleware>();
        ReplicationApi.Map(app);
        AdminApi.Map(app);
        MetricsEndpoint.Map(app);
        app.MapFallback((RequestDelegate)(context => ApiResponses.ErrorAsync(context, StatusCodes.Status404NotFound, $"no endpoint {context.Request.Path}")));

        var engine = app.Services.GetRequiredService<ReplicationEngine>();
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            LogStartFailed(logger, e.Message);
            engine.Close();
            return Program.StartFailedExitCode;
        }

        var ports = app.Services.GetRequiredService<ListenerPorts>();
        ports.Replication = ((IPEndPoint)replication!.EndPoint).Port;
        ports.Admin = ((IPEndPoint)admin!.EndPoint).Port;
        WriteListeningLine(Url(replication, tls is null ? "http" : "https"), Url(admin, "http"), app.Services.GetRequiredService<StoreAccess>().Store.Site.ToString());

        await app.WaitForShutdownAsync(cancellationToken);
        engine.Close();
        LogStopped(logger);
        return 0;
    }

    private static string Url(ListenOptions options, string scheme)
    {
        var endpoint = (IPEndPoint)options.EndPoint;
        var address = endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : endpoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : endpoint.Address;
        return scheme + "://" + new IPEndPoint(address, endpoint.Port);
    }

    private static void WriteListeningLine(string replication, string admin, string site)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout))
        {
            writer.WriteStartObject();
            writer.WriteString("event", "listening");
            writer.WriteString("replication", replication);
            writer.WriteString("admin", admin);
            writer.WriteString("site", site);
            writer.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
        stdout.Flush();
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Start-up failed: {Error}")]
    private static partial void LogStartFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped")]
    private static partial void LogStopped(ILogger logger);
}
