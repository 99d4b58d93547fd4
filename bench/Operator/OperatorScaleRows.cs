using K8sReplication.Bench.Cases;
using K8sReplication.Bench.Suite;

namespace K8sReplication.Bench.Operator;

/// <summary>
/// Table rows of the operator scale case. References are the minimum a correct operator needs: one reconcile per
/// mesh, three writes per mesh (finalizer patch, ConfigMap create, one status write), one config push per member,
/// and no writes at all once nothing changes.
/// </summary>
internal static class OperatorScaleRows
{
    public const int MinimumWritesPerMesh = 3;
    private const string Section = "ours";

    public static IEnumerable<ResultRow> Of(OperatorScaleCase.Result r)
    {
        var o = r.Options;
        var meshes = (double)o.Meshes;
        var members = meshes * o.Members;
        var scale = $"{o.Meshes} meshes × {o.Members} members";
        var s = r.Steady;
        var one = Sample.Of("", 1);
        var note = $"one run; --max-concurrent-reconciles {o.Workers}, --resync {o.Resync}; fake sidecars";
        yield return new(Section, $"operator, {scale}: time from creating the meshes to steady state (all Ready, Converged, ConfigApplied)",
            Sample.Of("s", s.Elapsed.TotalSeconds), null, null, Note: note);
        yield return new(Section, $"operator, {scale}: process start to steady state (incl. start-up and creating the meshes)",
            Sample.Of("s", r.StartToSteady.TotalSeconds), null, null);
        yield return new(Section, $"operator, {(int)members} pods: process start to started line (informers synced)",
            Sample.Of("s", r.ToStarted.TotalSeconds), null, null);
        yield return new(Section, $"operator, {scale}: reconciles per mesh to steady state",
            Sample.Of("", s.Reconciles / meshes), "one reconcile per mesh", one, Note: $"{s.Reconciles:0} reconciles");
        yield return new(Section, $"operator, {scale}: API writes per mesh to steady state (excluding Events)",
            Sample.Of("", s.Api.NonEventWrites / meshes), "minimum: finalizer patch + ConfigMap create + status write", Sample.Of("", MinimumWritesPerMesh),
            Note: s.Api.Breakdown);
        yield return new(Section, $"operator, {scale}: Event writes per mesh to steady state", Sample.Of("", s.Api.EventWrites / meshes), null, null);
        yield return new(Section, $"operator, {scale}: API writes per reconcile to steady state (excluding Events)",
            Sample.Of("", s.Reconciles > 0 ? s.Api.NonEventWrites / s.Reconciles : double.NaN), null, null,
            Note: $"{(s.Reconciles > 0 ? s.Api.Writes / s.Reconciles : double.NaN):0.0} including Events");
        yield return new(Section, $"operator, {scale}: API requests per mesh from creating the meshes to steady state (all verbs)",
            Sample.Of("", s.Api.Requests / meshes), null, null, Note: $"{s.Api.Requests} requests; reads: {s.Api.ReadBreakdown}");
        yield return new(Section, $"operator, {scale}: config pushes (PUT /v1/config) per member to steady state",
            Sample.Of("", s.ConfigPuts / members), "one push per member", one);
        yield return new(Section, $"operator, {scale}: status reads (GET /v1/status) per member to steady state",
            Sample.Of("", s.StatusGets / members), null, null);
        yield return new(Section, $"operator, {scale}: CPU time to steady state (incl. start-up)", Sample.Of("s", s.CpuSeconds), null, null);
        yield return new(Section, $"operator, {scale}: RSS at steady state", Sample.Of("MB", s.RssMb), null, null);

        var q = r.Quiet;
        var window = $"{o.Quiet.TotalSeconds:0} s quiet window after steady state";
        yield return new(Section, $"operator, {scale}: API writes in a {window}", Sample.Of("", q.Api.Writes), null, null, "0", 0,
            Note: $"{q.Reconciles:0} reconciles, {q.StatusGets} status reads, {q.Api.Requests} API requests ({q.Api.ReadBreakdown}); writes: {q.Api.Breakdown}; {r.SettledAfterQuiet}/{o.Meshes} still settled");
        yield return new(Section, $"operator, {scale}: CPU in a {window}", Sample.Of("% of one core", q.CpuSeconds / o.Quiet.TotalSeconds * 100), null, null);
        yield return new(Section, $"operator, {scale}: RSS after the {window}", Sample.Of("MB", q.RssMb), "at steady state", Sample.Of("MB", s.RssMb));

        if (r.Restart is { } x)
        {
            yield return new(Section, $"operator restart over the settled {scale}: process start until every mesh reconciled once",
                Sample.Of("s", x.Elapsed.TotalSeconds), "first start to steady state", Sample.Of("s", r.StartToSteady.TotalSeconds));
            yield return new(Section, $"operator restart over the settled {scale}: API writes (excluding Events)",
                Sample.Of("", x.Api.NonEventWrites), null, null, "0", 0, Note: $"writes: {x.Api.Breakdown}; {x.Api.EventWrites} Events, {x.ConfigPuts} config pushes, {x.Reconciles:0} reconciles, {x.Api.Requests} API requests ({x.Api.ReadBreakdown})");
        }
    }
}
