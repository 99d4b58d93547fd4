using System.Collections.Concurrent;
using K8sReplication.Observability.Metrics;
using Prometheus;

namespace K8sReplication.Operator.Metrics;

/// <summary>
/// The operator's metrics (names carry their unit). Gauges are read before each collection from state the controller
/// publishes: the queue depth, the mesh cache and the member counts the reconciler records per mesh.
/// </summary>
internal sealed class OperatorMetrics
{
    private readonly Lock _refreshLock = new();
    private readonly ConcurrentDictionary<string, (int Ready, int NotReady)> _members = new(StringComparer.Ordinal);
    private readonly ChildCache<string, Counter.Child> _reconciles;
    private readonly Histogram _reconcileDuration;
    private readonly ObservedGauge _meshMembers;
    private readonly Gauge _workQueueDepth;
    private readonly Gauge _meshes;
    private (Func<int> QueueDepth, Func<int> Meshes)? _observed;

    public OperatorMetrics(PrometheusMetricFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        var reconciles = factory.Counter("k8srepl_reconcile_total", "Reconciles by result (success, requeue, error).", "result");
        _reconciles = new(result => reconciles.WithLabels(result));
        _reconcileDuration = factory.Histogram("k8srepl_reconcile_duration_seconds", "Time one reconcile took.", HistogramBuckets.Seconds());
        _meshMembers = new(factory.Gauge("k8srepl_mesh_members", "Members of each mesh by readiness.", "mesh", "ready"));
        _workQueueDepth = factory.Gauge("k8srepl_workqueue_depth", "Keys waiting in the work queue.");
        _meshes = factory.Gauge("k8srepl_meshes", "ReplicationMeshes known to the operator.");
        factory.Registry.AddBeforeCollectCallback(Refresh);
    }

    /// <summary>Reads the queue depth and the number of meshes before each collection.</summary>
    public void Observe(Func<int> queueDepth, Func<int> meshes)
    {
        ArgumentNullException.ThrowIfNull(queueDepth);
        ArgumentNullException.ThrowIfNull(meshes);
        lock (_refreshLock)
        {
            _observed = (queueDepth, meshes);
        }
    }

    public void RecordReconcile(string result, TimeSpan duration)
    {
        _reconciles[result].Inc();
        _reconcileDuration.Observe(duration.TotalSeconds);
    }

    public void SetMembers(string mesh, int ready, int total) => _members[mesh] = (ready, total - ready);

    public void ForgetMesh(string mesh) => _members.TryRemove(mesh, out _);

    private void Refresh()
    {
        lock (_refreshLock)
        {
            if (_observed is var (queueDepth, meshes))
            {
                _workQueueDepth.Set(queueDepth());
                _meshes.Set(meshes());
            }

            _meshMembers.Refresh(_members.SelectMany(pair => new[]
            {
                GaugeSample.Of(pair.Value.Ready, pair.Key, "true"),
                GaugeSample.Of(pair.Value.NotReady, pair.Key, "false"),
            }));
        }
    }
}
