using System.Net;
using System.Text.Json;
using K8sReplication.Contracts;
using k8s;
using k8s.Exceptions;
using k8s.Models;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Events;
using K8sReplication.Kube.Leases;
using K8sReplication.Kube.Resources;
using K8sReplication.Observability.Health;
using K8sReplication.Observability.Hosting;
using K8sReplication.Observability.Logging;
using K8sReplication.Operator.Mesh;
using K8sReplication.Operator.Metrics;
using K8sReplication.Operator.Runtime;
using K8sReplication.Operator.Sidecars;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging.Console;

namespace K8sReplication.Operator.Hosting;

/// <summary>
/// Builds and runs the operator: one Kestrel host with the health listener (<c>/healthz</c>, <c>/readyz</c>) and the
/// metrics listener (<c>/metrics</c>), with <c>--webhook-listen</c> the injection webhook's HTTPS listener, and the controller. Prints <c>{"event":"started",...}</c> once the informers
/// are synced; SIGTERM stops the workers, releases the lease and exits 0.
/// </summary>
internal static partial class OperatorHost
{
    public const int ConfigErrorExitCode = 2;
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(20);

    public static async Task<int> RunAsync(OperatorOptions options, CancellationToken cancellationToken)
    {
        KubernetesClientConfiguration config;
        try
        {
            config = KubeConnection.LoadConfig(options.Kubeconfig);
        }
        catch (KubeConfigException ex)
        {
            await Console.Error.WriteLineAsync((options.Kubeconfig is null ? "kubernetes configuration: " : "--kubeconfig: ") + ex.Message).ConfigureAwait(false);
            return ConfigErrorExitCode;
        }

        var identity = options.Identity ?? Environment.GetEnvironmentVariable(WellKnown.PodNameEnv)
            ?? $"{Environment.MachineName}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 4))}";
        var builder = ServiceHostBuilder.CreateSlim();
        builder.Logging.AddReplicationConsole(ConsoleLoggingExtensions.ParseFormat(Environment.GetEnvironmentVariable("K8SREPL_LOG_FORMAT"), "K8SREPL_LOG_FORMAT"));

        // Logs go to stderr so stdout carries only the machine-readable started line.
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        ListenOptions? health = null;
        ListenOptions? metrics = null;
        var webhook = options.Webhook is null ? null : new WebhookHosting(options.Webhook);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(options.HealthListen, o => health = o);
            if (!options.MetricsListen.Equals(options.HealthListen) || options.MetricsListen.Port == 0)
            {
                kestrel.Listen(options.MetricsListen, o => metrics = o);
            }

            webhook?.Listen(kestrel);
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddPrometheusMetrics();
        builder.Services.AddSingleton<OperatorMetrics>();

        await using var app = builder.Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var logger = loggers.CreateLogger("K8sReplication.Operator");
        var time = TimeProvider.System;
        using var connection = KubeConnection.Open(config,
            new KubeConnectionOptions { UserAgent = $"{KubeConnectionOptions.DefaultUserAgent} k8srepl-operator ({identity})" }, time);
        using var sidecars = new SidecarClient(options.SidecarTimeout, time);
        using var queue = new WorkQueue(time);
        var operatorMetrics = app.Services.GetRequiredService<OperatorMetrics>();

        var informerOptions = new InformerOptions { InactivityTimeout = options.WatchInactivityTimeout };
        var informerLogger = loggers.CreateLogger("K8sReplication.Operator.Informer");
        var meshes = new Informer<ReplicationMesh>(connection, MeshResource.Type, options.Namespace, informerOptions, informerLogger, time);
        var pods = new Informer<V1Pod>(connection, KubeResources.Pods, options.Namespace, informerOptions, informerLogger, time);
        var configMaps = new Informer<V1ConfigMap>(connection, KubeResources.ConfigMaps, options.Namespace,
            informerOptions with { LabelSelector = $"{Labels.ManagedBy}={Labels.ManagedByValue}" }, informerLogger, time);
        // Only Secrets that carry an opt-in label are listed and cached (one informer per label: a selector cannot OR).
        var authSecrets = new Informer<V1Secret>(connection, KubeResources.Secrets, options.Namespace,
            informerOptions with { LabelSelector = $"{Labels.MeshAuthSecret}={Labels.MeshAuthSecretValue}" }, informerLogger, time);
        var backupSecrets = new Informer<V1Secret>(connection, KubeResources.Secrets, options.Namespace,
            informerOptions with { LabelSelector = $"{Labels.MeshBackupSecret}={Labels.MeshBackupSecretValue}" }, informerLogger, time);
        // The Secrets the operator makes itself (certificates), selected like its ConfigMaps.
        var managedSecrets = new Informer<V1Secret>(connection, KubeResources.Secrets, options.Namespace,
            informerOptions with { LabelSelector = $"{Labels.ManagedBy}={Labels.ManagedByValue}" }, informerLogger, time);
        // Every NetworkPolicy of the watched namespaces: the mesh's own, and the others that may isolate its pods.
        var networkPolicy = options.NetworkPolicy with
        {
            OperatorNamespace = options.NetworkPolicy.OperatorNamespace ?? PodEnvironment.Namespace,
        };
        if (networkPolicy.Enabled && networkPolicy.OperatorLabels.Count > 0 && !networkPolicy.KnowsOperator)
        {
            LogOperatorNamespaceUnknown(logger);
        }

        var policies = options.NetworkPolicy.Enabled
            ? new Informer<V1NetworkPolicy>(connection, KubeResources.NetworkPolicies, options.Namespace, informerOptions, informerLogger, time)
            : null;
        operatorMetrics.Observe(() => queue.Depth, () => meshes.Cache.Count);

        var events = new EventRecorder(connection.Client, new EventRecorderOptions { ReportingController = "replication.k8srepl.dev/operator", ReportingInstance = identity }, time);
        var reconciler = new MeshReconciler(connection.Client, meshes.Cache, pods.Cache, configMaps.Cache,
            new MeshSecrets(connection.Client, authSecrets.Cache, backupSecrets.Cache, managedSecrets.Cache), policies?.Cache, sidecars, events,
            operatorMetrics, new MeshReconcilerOptions { Resync = options.Resync, Pki = options.Pki, NetworkPolicy = networkPolicy }, loggers.CreateLogger("K8sReplication.Operator.Mesh"), time);
        var workers = new ReconcileWorkers(queue, reconciler, operatorMetrics, logger, time);
        var elector = options.LeaderElect
            ? new LeaderElector(connection.Client, new LeaderElectionOptions
            {
                LeaseName = OperatorOptions.LeaseName,
                LeaseNamespace = options.LeaseNamespace ?? connection.DefaultNamespace,
                Identity = identity,
                LeaseDuration = options.LeaseDuration,
                RenewDeadline = options.RenewDeadline,
                RetryPeriod = options.RetryPeriod,
            }, time)
            : null;
        var controller = new OperatorController(meshes, pods, configMaps, [authSecrets, backupSecrets, managedSecrets], policies, queue, workers, elector,
            options.MaxConcurrentReconciles, logger);

        MapEndpoints(app, controller, webhook, () => Port(health), () => Port(metrics ?? health));
        webhook?.Map(app, ns => meshes.Cache.List(ns), () => controller.Synced, loggers.CreateLogger("K8sReplication.Operator.Webhook"));
        var keeper = webhook?.Keeper(connection.Client, connection.DefaultNamespace, loggers.CreateLogger("K8sReplication.Operator.Webhook"), time);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException)
        {
            LogStartFailed(logger, e.Message);
            return 1;
        }

        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        var keeping = keeper?.RunAsync(lifetime.ApplicationStopping) ?? Task.CompletedTask;
        var run = controller.RunAsync(
            () => WriteStartedLine(Url(health!), Url(metrics ?? health!), webhook?.Url, identity, options),
            lifetime.ApplicationStopping);
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(run, keeping).WaitAsync(ShutdownTimeout, CancellationToken.None).ConfigureAwait(false);
        LogStopped(logger);
        return 0;
    }

    /// <summary>Probes answer only on the health listener and metrics only on the metrics listener.</summary>
    private static void MapEndpoints(WebApplication app, OperatorController controller, WebhookHosting? webhook, Func<int> healthPort, Func<int> metricsPort)
    {
        app.Use(async (context, next) =>
        {
            if (WebhookHosting.Misrouted(context, webhook))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            var port = context.Connection.LocalPort;
            var path = context.Request.Path;
            var wanted = path == "/metrics" ? metricsPort() : path == "/healthz" || path == "/readyz" ? healthPort() : -1;
            if (wanted != -1 && wanted != 0 && port != wanted)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next(context).ConfigureAwait(false);
        });
        app.MapProbe("/healthz", () => ProbeResult.Healthy());
        app.MapProbe("/readyz", () => !controller.Ready
            ? ProbeResult.Unhealthy(controller.Synced ? "workers not running" : "informers not synced")
            : webhook is not null && webhook.Serving.Current is null
                ? ProbeResult.Unhealthy("webhook serving certificate not loaded")
                : ProbeResult.Healthy(controller.Leading ? "ok: leading" : "ok: standing by"));
        app.MapPrometheusMetrics("/metrics");
    }

    private static int Port(ListenOptions? options) => options?.EndPoint is IPEndPoint endpoint ? endpoint.Port : 0;

    private static string Url(ListenOptions options)
    {
        var endpoint = (IPEndPoint)options.EndPoint;
        var address = endpoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : endpoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : endpoint.Address;
        return "http://" + new IPEndPoint(address, endpoint.Port);
    }

    private static void WriteStartedLine(string health, string metrics, string? webhook, string identity, OperatorOptions options)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("event", "started");
            writer.WriteString("health", health);
            writer.WriteString("metrics", metrics);
            if (webhook is not null)
            {
                writer.WriteString("webhook", webhook);
            }

            writer.WriteString("identity", identity);
            writer.WriteString("namespace", options.Namespace ?? "");
            writer.WriteBoolean("leaderElect", options.LeaderElect);
            writer.WriteEndObject();
        }

        // One write of the whole line, so nothing else on stdout can land inside it.
        using var stdout = Console.OpenStandardOutput();
        stdout.Write([.. buffer.WrittenSpan, (byte)'\n']);
        stdout.Flush();
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Start-up failed: {Error}")]
    private static partial void LogStartFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "--network-policy-operator-labels is set but the operator's namespace is not known (set POD_NAMESPACE or --network-policy-operator-namespace): mesh NetworkPolicies cannot name the operator")]
    private static partial void LogOperatorNamespaceUnknown(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped")]
    private static partial void LogStopped(ILogger logger);
}
