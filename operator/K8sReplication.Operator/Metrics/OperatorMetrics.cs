using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace K8sReplication.Operator.Metrics;

/// <summary>
/// The operator's instruments (names carry their unit). Gauges are observed from state the controller
/// publishes: the queue depth, the mesh cache and the member counts the reconciler records per mesh.
/// </summary>
internal sealed class OperatorMetrics
{
    public const string MeterName = "K8sReplication.Operator";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<string, (int Ready, int NotReady)> _members = new(StringComparer.Ordinal);

    public OperatorMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        Reconciles = _meter.CreateCounter<long>("k8srepl_reconcile_total", description: "Reconciles by result (success, requeue, error).");
        ReconcileDuration = _meter.CreateHistogram<double>("k8srepl_reconcile_duration_seconds", unit: "s", description: "Time one reconcile took.");
        _meter.CreateObservableGauge("k8srepl_mesh_members", ObserveMembers, description: "Members of each mesh by readiness.");
    }

    public Counter<long> Reconciles { get; }

    public Histogram<double> ReconcileDuration { get; }

    /// <summary>Registers the gauges read from live state.</summary>
    public void Observe(Func<int> queueDepth, Func<int> meshes)
    {
        _meter.CreateObservableGauge("k8srepl_workqueue_depth", queueDepth, description: "Keys waiting in the work queue.");
        _meter.CreateObservableGauge("k8srepl_meshes", meshes, description: "ReplicationMeshes known to the operator.");
    }

    public void RecordReconcile(string result, TimeSpan duration)
    {
        Reconciles.Add(1, new KeyValuePair<string, object?>("result", result));
        ReconcileDuration.Record(duration.TotalSeconds);
    }

    public void SetMembers(string mesh, int ready, int total) => _members[mesh] = (ready, total - ready);

    public void ForgetMesh(string mesh) => _members.TryRemove(mesh, out _);

    private IEnumerable<Measurement<int>> ObserveMembers()
    {
        foreach (var (mesh, counts) in _members)
        {
            yield return new Measurement<int>(counts.Ready, new("mesh", mesh), new("ready", "true"));
            yield return new Measurement<int>(counts.NotReady, new("mesh", mesh), new("ready", "false"));
        }
    }
}
