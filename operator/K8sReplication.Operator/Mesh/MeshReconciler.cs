using k8s;
using k8s.Models;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Kube.Events;
using K8sReplication.Operator.Metrics;
using K8sReplication.Operator.Runtime;
using K8sReplication.Operator.Sidecars;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// Reconciles one ReplicationMesh, re-reading everything from the informer caches: finalizer, members,
/// desired configs into the owned ConfigMap, pushes to outdated members, member health, certificates, the
/// NetworkPolicy, status (written only when it changed) and Events. Returns when to look again; a settled mesh is looked at every resync period.
/// </summary>
internal sealed partial class MeshReconciler : IReconciler
{
    private readonly IKubernetes _client;
    private readonly ObjectCache<ReplicationMesh> _meshes;
    private readonly ObjectCache<V1Pod> _pods;
    private readonly ObjectCache<V1ConfigMap> _configMaps;
    private readonly MeshSecrets _secrets;
    private readonly ObjectCache<V1NetworkPolicy>? _policies;
    private readonly SidecarClient _sidecars;
    private readonly EventRecorder? _events;
    private readonly OperatorMetrics? _metrics;
    private readonly MeshReconcilerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public MeshReconciler(
        IKubernetes client,
        ObjectCache<ReplicationMesh> meshes,
        ObjectCache<V1Pod> pods,
        ObjectCache<V1ConfigMap> configMaps,
        MeshSecrets secrets,
        ObjectCache<V1NetworkPolicy>? policies,
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
        _secrets = secrets;
        _policies = policies;
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
            ForgetStreamTrims(key);
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
        var members = MemberDiscovery.Members(mesh, _pods.List(mesh.Metadata.NamespaceProperty));
        var auth = await ReadAuthSecretAsync(mesh, cancellationToken).ConfigureAwait(false);
        var backupCredentials = BackupCredentialsVerdict.NotConfigured;
        long generation;
        IReadOnlyList<MemberObservation> observations;
        var pushFailed = false;
        if (auth.Refused)
        {
            // Nothing goes to the members, not even the config: the mesh only reports why until the Secret is opted in.
            observations = [.. members.Select(m => NotContacted(m, auth))];
            generation = mesh.Status?.ConfigGeneration ?? 0;
        }
        else
        {
            observations = await ObserveAsync(members, auth.Token, cancellationToken).ConfigureAwait(false);
            if (spec.Backup is not null)
            {
                backupCredentials = await ReadBackupCredentialsAsync(mesh, cancellationToken).ConfigureAwait(false);
            }

            var desired = DesiredMeshConfig.Build(mesh.Metadata.NamespaceProperty ?? "", name, spec, members, backupCredentials);
            generation = await EnsureConfigMapAsync(mesh, desired, observations, cancellationToken).ConfigureAwait(false);
            if (!paused)
            {
                (observations, pushFailed) = await PushOutdatedAsync(name, desired, generation, observations, auth.Token, cancellationToken)
                    .ConfigureAwait(false);
            }
        }

        // Certificates are kept current even while the mesh is paused or its members are not contacted: an expired one
        // would cut replication when either ends.
        var (tls, tlsLookAgain) = await EnsureTlsAsync(mesh, observations, cancellationToken).ConfigureAwait(false);
        var networkPolicy = await EnsureNetworkPolicyAsync(mesh, cancellationToken).ConfigureAwait(false);
        await RecordStreamTrimsAsync(mesh, observations, cancellationToken).ConfigureAwait(false);

        // Whole seconds, as Kubernetes times are: a re-serialized status then compares equal.
        var now = _time.GetUtcNow();
        now = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var backup = spec.Backup is { } backupSpec ? new BackupExpectation(MeshBackup.StaleAfter(backupSpec), backupCredentials.Problem) : null;
        var status = MeshStatusBuilder.Build(mesh.Metadata.Generation ?? 0, generation, paused, terminating: false, observations, mesh.Status, now,
            auth.RefusalMessage, backup, tls, networkPolicy);
        await WriteStatusAsync(mesh, status, cancellationToken).ConfigureAwait(false);
        _metrics?.SetMembers(key, status.ReadyMembers, status.TotalMembers);

        var after = Settled(status, paused) && !pushFailed ? _options.Resync : Min(_options.UnsettledRequeue, _options.Resync);
        return ReconcileResult.After(tlsLookAgain is { } due ? Min(after, due) : after);
    }

    private static bool Settled(ReplicationMeshStatus status, bool paused) =>
        Is(status, ConditionTypes.Ready, ConditionStatus.True)
        && Is(status, ConditionTypes.Converged, ConditionStatus.True)
        && (paused || Is(status, ConditionTypes.ConfigApplied, ConditionStatus.True));

    private static bool Is(ReplicationMeshStatus status, string type, ConditionStatus value) =>
        status.Conditions?.Any(c => c.Type == type && c.Status == value) == true;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>
    /// Reads the mesh's auth Secret (see <see cref="MeshSecrets"/>), from the mesh's own namespace only, and decides
    /// whether its token may be used (<see cref="AuthSecretVerdict"/>). A missing Secret or key and a refused Secret are
    /// logged and recorded as warning Events on every reconcile (the recorder folds repeats into one Event series).
    /// </summary>
    private async Task<AuthSecretVerdict> ReadAuthSecretAsync(ReplicationMesh mesh, CancellationToken cancellationToken)
    {
        var secretName = mesh.Spec?.AuthSecretRef?.Name;
        if (string.IsNullOrEmpty(secretName))
        {
            return AuthSecretVerdict.NotConfigured;
        }

        var secret = await _secrets.AuthSecretAsync(mesh.Metadata.NamespaceProperty, secretName, cancellationToken).ConfigureAwait(false);
        var verdict = AuthSecretVerdict.Of(secretName, secret);
        switch (verdict.Outcome)
        {
            case AuthSecretOutcome.Missing:
                LogSecretMissing(_logger, ObjectKey.Of(mesh), secretName);
                await RecordAsync(mesh, EventRecorder.Warning, "AuthSecretMissing",
                    $"Secret {secretName} with key {Contracts.WellKnown.TokenSecretKey} not found; calling members without a token", cancellationToken)
                    .ConfigureAwait(false);
                break;
            case AuthSecretOutcome.NotLabelled:
                LogSecretNotLabelled(_logger, ObjectKey.Of(mesh), secretName, Contracts.Labels.MeshAuthSecret, Contracts.Labels.MeshAuthSecretValue);
                await RecordAsync(mesh, EventRecorder.Warning, ConditionReasons.AuthSecretNotLabelled, verdict.RefusalMessage!, cancellationToken)
                    .ConfigureAwait(false);
                break;
        }

        return verdict;
    }

    private MemberObservation NotContacted(MeshMemberEndpoint member, AuthSecretVerdict auth) =>
        new(member.Pod, member.ReplicationUrl, member.AdminUrl, null, $"not contacted: Secret {auth.SecretName} refused", _time.GetUtcNow())
        {
            Contacted = false,
        };

    private async Task RecordAsync(ReplicationMesh mesh, string type, string reason, string note, CancellationToken cancellationToken)
    {
        if (_events is not null)
        {
            await _events.RecordAsync(EventRecorder.ReferenceTo(mesh), type, reason, "Reconcile", note, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mesh {Mesh}: auth Secret {Secret} or its token key is missing")]
    private static partial void LogSecretMissing(ILogger logger, string mesh, string secret);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Mesh {Mesh}: auth Secret {Secret} refused, it lacks the label {Label}={Value}; members are not contacted")]
    private static partial void LogSecretNotLabelled(ILogger logger, string mesh, string secret, string label, string value);
}
