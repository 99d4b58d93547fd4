using System.Threading.Channels;
using K8sReplication.Contracts;
using k8s.Models;
using K8sReplication.Kube.Leases;
using K8sReplication.Operator.Mesh;
using K8sReplication.Operator.Runtime;

namespace K8sReplication.Operator.Hosting;

/// <summary>
/// Wires the informers to the work queue and runs the workers: every process keeps its caches warm, and with leader
/// election only the leader's workers run (a fresh leader queues every mesh, so nothing waits for an event).
/// Event handlers only enqueue mesh keys: a mesh event its own key, a pod event every mesh of its namespace whose
/// selector matches the pod's old or new labels, a ConfigMap event the mesh owning it, an opted-in Secret's event every
/// mesh of its namespace that names it, a NetworkPolicy event every mesh of its namespace.
/// </summary>
internal sealed partial class OperatorController
{
    private readonly Informer<ReplicationMesh> _meshes;
    private readonly Informer<V1Pod> _pods;
    private readonly Informer<V1ConfigMap> _configMaps;
    private readonly IReadOnlyList<Informer<V1Secret>> _secrets;
    private readonly Informer<V1NetworkPolicy>? _policies;
    private readonly WorkQueue _queue;
    private readonly ReconcileWorkers _workers;
    private readonly LeaderElector? _elector;
    private readonly int _workerCount;
    private readonly ILogger _logger;
    private volatile bool _synced;

    public OperatorController(Informer<ReplicationMesh> meshes, Informer<V1Pod> pods, Informer<V1ConfigMap> configMaps,
        IReadOnlyList<Informer<V1Secret>> secrets, Informer<V1NetworkPolicy>? policies, WorkQueue queue, ReconcileWorkers workers,
        LeaderElector? elector, int workerCount, ILogger logger)
    {
        _meshes = meshes;
        _pods = pods;
        _configMaps = configMaps;
        _secrets = secrets;
        _policies = policies;
        _queue = queue;
        _workers = workers;
        _elector = elector;
        _workerCount = workerCount;
        _logger = logger;
        _meshes.AddHandler((old, current) =>
        {
            if (Matters(old, current))
            {
                _queue.Add(ObjectKey.Of((current ?? old)!));
            }
        });
        _pods.AddHandler(OnPod);
        _configMaps.AddHandler(OnConfigMap);
        foreach (var informer in _secrets)
        {
            informer.AddHandler(OnSecret);
        }

        _policies?.AddHandler(OnNetworkPolicy);
    }

    /// <summary>Every informer has filled its cache once.</summary>
    public bool Synced => _synced;

    /// <summary>Readiness: synced, and when this process leads, its workers are running.</summary>
    public bool Ready => _synced && (_elector is null ? _workers.Running > 0 : !_elector.IsLeader || _workers.Running > 0);

    public bool Leading => _elector?.IsLeader ?? true;

    /// <summary>Runs until <paramref name="stopping"/>; <paramref name="onSynced"/> is called once the caches are filled.</summary>
    public async Task RunAsync(Action onSynced, CancellationToken stopping)
    {
        IInformer[] informers = [_meshes, _pods, _configMaps, .. _secrets, .. _policies is null ? Array.Empty<IInformer>() : [_policies]];
        var running = informers.Select(i => i.RunAsync(stopping)).ToList();
        try
        {
            await Task.WhenAll(informers.Select(i => i.Synced)).WaitAsync(stopping).ConfigureAwait(false);
            _synced = true;
            LogSynced(_logger, _meshes.Cache.Count, _pods.Cache.Count);
            onSynced();
            if (_elector is null)
            {
                await _workers.RunAsync(_workerCount, stopping).ConfigureAwait(false);
            }
            else
            {
                await LeadWhenElectedAsync(_elector, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // shutdown
        }
        finally
        {
            _queue.ShutDown();
            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    private async Task LeadWhenElectedAsync(LeaderElector elector, CancellationToken stopping)
    {
        // A superseded leadership's token is already cancelled, so dropping it when full loses nothing.
        var terms = Channel.CreateBounded<CancellationToken>(new BoundedChannelOptions(4) { FullMode = BoundedChannelFullMode.DropOldest });
        elector.StartedLeading += (_, e) => terms.Writer.TryWrite(e.LeadershipLost);
        elector.StoppedLeading += (_, _) => LogStoppedLeading(_logger, elector.Identity);
        var electing = elector.RunAsync(stopping);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var lost = await terms.Reader.ReadAsync(stopping).ConfigureAwait(false);
                using var term = CancellationTokenSource.CreateLinkedTokenSource(stopping, lost);
                LogLeading(_logger, elector.Identity);
                foreach (var mesh in _meshes.Cache.List())
                {
                    _queue.Add(ObjectKey.Of(mesh));
                }

                await _workers.RunAsync(_workerCount, term.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // shutdown: the elector releases the lease
        }
        finally
        {
            await electing.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether a mesh event asks for a reconcile: it came or went, or its spec (generation), deletion or finalizers
    /// changed. The operator's own status writes change none of them, so they do not reconcile the mesh again; the
    /// periodic requeue keeps the status current.
    /// </summary>
    internal static bool Matters(ReplicationMesh? old, ReplicationMesh? current) =>
        old is null || current is null
        || old.Metadata.Generation != current.Metadata.Generation
        || old.Metadata.DeletionTimestamp != current.Metadata.DeletionTimestamp
        || !(old.Metadata.Finalizers ?? []).SequenceEqual(current.Metadata.Finalizers ?? [], StringComparer.Ordinal);

    private void OnPod(V1Pod? old, V1Pod? current)
    {
        var pod = (current ?? old)!;
        var before = old is null ? null : MemberDiscovery.Labels(old);
        var after = current is null ? null : MemberDiscovery.Labels(current);
        foreach (var mesh in _meshes.Cache.List(pod.Metadata.NamespaceProperty))
        {
            var selector = mesh.Spec?.Selector;
            if ((old is not null && SelectorMatcher.Matches(selector, before)) || (current is not null && SelectorMatcher.Matches(selector, after)))
            {
                _queue.Add(ObjectKey.Of(mesh));
            }
        }
    }

    private void OnConfigMap(V1ConfigMap? old, V1ConfigMap? current)
    {
        var configMap = (current ?? old)!;
        var owner = configMap.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true && o.Kind == MeshResource.Type.Kind);
        if (owner is not null)
        {
            _queue.Add(ObjectKey.Of(configMap.Metadata.NamespaceProperty, owner.Name));
        }
        else if (configMap.Metadata.Labels?.TryGetValue(Labels.Mesh, out var mesh) == true)
        {
            _queue.Add(ObjectKey.Of(configMap.Metadata.NamespaceProperty, mesh));
        }
    }

    /// <summary>
    /// A Secret opted in (or out, or changed): the meshes of its namespace that name it look again. A Secret the
    /// operator made (certificates) is its owning mesh's, like its ConfigMap.
    /// </summary>
    private void OnSecret(V1Secret? old, V1Secret? current)
    {
        var secret = (current ?? old)!;
        var owner = secret.Metadata.OwnerReferences?.FirstOrDefault(o => o.Controller == true && o.Kind == MeshResource.Type.Kind);
        if (owner is not null)
        {
            _queue.Add(ObjectKey.Of(secret.Metadata.NamespaceProperty, owner.Name));
            return;
        }

        foreach (var mesh in _meshes.Cache.List(secret.Metadata.NamespaceProperty))
        {
            if (mesh.Spec?.AuthSecretRef?.Name == secret.Metadata.Name || mesh.Spec?.Backup?.CredentialsSecretRef?.Name == secret.Metadata.Name)
            {
                _queue.Add(ObjectKey.Of(mesh));
            }
        }
    }

    /// <summary>
    /// A NetworkPolicy came, changed or went: the meshes of its namespace look again (their own policy is restored;
    /// another one may now isolate their pods).
    /// </summary>
    private void OnNetworkPolicy(V1NetworkPolicy? old, V1NetworkPolicy? current)
    {
        foreach (var mesh in _meshes.Cache.List((current ?? old)!.Metadata.NamespaceProperty))
        {
            _queue.Add(ObjectKey.Of(mesh));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Caches synced: {Meshes} meshes, {Pods} pods")]
    private static partial void LogSynced(ILogger logger, int meshes, int pods);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} is the leader: reconciling")]
    private static partial void LogLeading(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} stopped leading: workers stop")]
    private static partial void LogStoppedLeading(ILogger logger, string identity);
}
