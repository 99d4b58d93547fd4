using K8sReplication.Contracts.Mesh;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Events;
using K8sReplication.Kube.Models;
using K8sReplication.Operator.Metrics;
using K8sReplication.Operator.Runtime;
using K8sReplication.Operator.Sidecars;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// Reconciles one ReplicationMesh (design §5.2), re-reading everything from the informer caches: finalizer, members,
/// desired configs into the owned ConfigMap, pushes to outdated members, member health, status (written only when
/// it changed) and Events. Returns when to look again; a settled mesh is looked at every resync period.
/// </summary>
internal sealed partial class MeshReconciler : IReconciler
{
    private readonly KubeClient _client;
    private readonly ObjectCache<ReplicationMesh> _meshes;
    private readonly ObjectCache<Pod> _pods;
    private readonly ObjectCache<ConfigMap> _configMaps;
    private readonly SidecarClient _sidecars;
    private readonly EventRecorder? _events;
    private readonly OperatorMetrics? _metrics;
    private readonly MeshReconcilerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public MeshReconciler(
        KubeClient client,
        ObjectCache<ReplicationMesh> meshes,
        ObjectCache<Pod> pods,
        ObjectCache<ConfigMap> configMaps,
        SidecarClient sidecars,
        EventRecorder? events,
        OperatorMetrics? metrics,
        MeshReconcilerOptions options,
        ILogger logger,
        TimeProvider time)
    {
        _client = client;
        _meshes = meshes;
        _pods = pods;
        _configMaps = configMaps;
        _sidecars = sidecars;
        _events = events;
        _metrics = metrics;
        _options = options;
        _logger = logger;
        _time = time;
    }

    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var mesh = _meshes.Get(key);
        if (mesh is null)
        {
            // Gone: the ConfigMap follows through its ownerReference; nothing else to clean up.
            _metrics?.ForgetMesh(key);
            return ReconcileResult.Done;
        }

        if (mesh.Metadata.DeletionTimestamp is not null)
        {
            await FinalizeAsync(key, mesh, cancellationToken).ConfigureAwait(false);
            _metrics?.ForgetMesh(key);
            return ReconcileResult.Done;
        }

        if (!HasFinalizer(mesh))
        {
            // Added before anything reaches the members, so a deletion always goes through FinalizeAsync.
            mesh = await AddFinalizerAsync(mesh, cancellationToken).ConfigureAwait(false);
        }

        var spec = mesh.Spec ?? new ReplicationMeshSpec();
        var name = mesh.Metadata.Name!;
        var paused = spec.Paused == true;
        var members = MemberDiscovery.Members(mesh, _pods.List(mesh.Metadata.Namespace));
        var token = await ReadTokenAsync(mesh, cancellationToken).ConfigureAwait(false);
        var observations = await ObserveAsync(members, token, cancellationToken).ConfigureAwait(false);

        var desired = DesiredMeshConfig.Build(name, spec, members);
        var generation = await EnsureConfigMapAsync(mesh, desired, observations, cancellationToken).ConfigureAwait(false);

        var pushFailed = false;
        if (!paused)
        {
            (observations, pushFailed) = await PushOutdatedAsync(name, desired, generation, observations, token, cancellationToken).ConfigureAwait(false);
        }

        // Whole seconds, as Kubernetes times are: a re-serialized status then compares equal.
        var now = _time.GetUtcNow();
        now = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var status = MeshStatusBuilder.Build(mesh.Metadata.Generation ?? 0, generation, paused, terminating: false, observations, mesh.Status, now);
        await WriteStatusAsync(mesh, status, cancellationToken).ConfigureAwait(false);
        _metrics?.SetMembers(key, status.ReadyMembers, status.TotalMembers);

        return ReconcileResult.After(Settled(status, paused) && !pushFailed ? _options.Resync : Min(_options.UnsettledRequeue, _options.Resync));
    }

    private static bool Settled(ReplicationMeshStatus status, bool paused) =>
        Is(status, ConditionTypes.Ready, ConditionStatus.True)
        && Is(status, ConditionTypes.Converged, ConditionStatus.True)
        && (paused || Is(status, ConditionTypes.ConfigApplied, ConditionStatus.True));

    private static bool Is(ReplicationMeshStatus status, string type, ConditionStatus value) =>
        status.Conditions?.Any(c => c.Type == type && c.Status == value) == true;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private async Task<string?> ReadTokenAsync(ReplicationMesh mesh, CancellationToken cancellationToken)
    {
        var secretName = mesh.Spec?.AuthSecretRef?.Name;
        if (string.IsNullOrEmpty(secretName))
        {
            return null;
        }

        var secret = await _client.TryGetAsync(ResourceTypes.Secrets, secretName, mesh.Metadata.Namespace, cancellationToken).ConfigureAwait(false);
        if (secret?.Data?.TryGetValue(Contracts.WellKnown.TokenSecretKey, out var bytes) == true)
        {
            return System.Text.Encoding.UTF8.GetString(bytes).Trim();
        }

        LogSecretMissing(_logger, ObjectKey.Of(mesh), secretName);
        await RecordAsync(mesh, EventRecorder.Warning, "AuthSecretMissing",
            $"Secret {secretName} with key {Contracts.WellKnown.TokenSecretKey} not found; calling members without a token", cancellationToken).ConfigureAwait(false);
        return null;
    }

    private async Task RecordAsync(ReplicationMesh mesh, string type, string reason, string note, CancellationToken cancellationToken)
    {
        if (_events is not null)
        {
            await _events.RecordAsync(EventRecorder.ReferenceTo(mesh), type, reason, "Reconcile", note, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mesh {Mesh}: auth Secret {Secret} or its token key is missing")]
    private static partial void LogSecretMissing(ILogger logger, string mesh, string secret);
}
