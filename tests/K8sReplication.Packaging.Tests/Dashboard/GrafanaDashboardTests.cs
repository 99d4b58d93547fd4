using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using K8sReplication.Packaging.Tests.Chart;
using K8sReplication.Packaging.Tests.Tools;
using K8sReplication.TestKit;

namespace K8sReplication.Packaging.Tests.Dashboard;

public sealed partial class GrafanaDashboardTests
{
    /// <summary>The sidecar and operator metrics: names are part of the contract.</summary>
    private static readonly string[] ContractMetrics =
    [
        "replication_engine_state", "replication_peers", "replication_changes_captured_total",
        "replication_changes_applied_total", "replication_changes_skipped_total", "replication_conflicts_total",
        "replication_lag_seconds", "replication_lag_changes", "replication_batch_duration_seconds",
        "replication_peer_requests_total", "replication_circuit_state", "replication_antientropy_rounds_total",
        "replication_antientropy_rows_repaired_total", "replication_antientropy_bytes_total", "replication_rows",
        "replication_tombstones", "replication_schema_mismatch", "replication_database_bytes", "replication_wal_bytes",
        "replication_capture_backlog", "replication_backup_last_success_timestamp_seconds", "replication_backup_uploads_total",
        "replication_backup_bytes_total", "replication_backup_pending_changes",
        "k8srepl_reconcile_total", "k8srepl_reconcile_duration_seconds", "k8srepl_workqueue_depth", "k8srepl_meshes",
        "k8srepl_mesh_members",
    ];

    private static readonly string[] Histograms = ["replication_batch_duration_seconds", "k8srepl_reconcile_duration_seconds"];

    private static JsonObject Load() =>
        (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "charts", "k8s-replication", "dashboards", "k8s-replication.json")))!;

    private static IEnumerable<JsonObject> Panels(JsonObject dashboard) =>
        dashboard["panels"]!.AsArray().OfType<JsonObject>().Where(p => (string?)p["type"] != "row");

    private static List<string> Expressions(JsonObject dashboard) =>
        [.. Panels(dashboard).SelectMany(p => p["targets"]!.AsArray().OfType<JsonObject>()).Select(t => (string)t["expr"]!)];

    private static IEnumerable<string> MetricNames(string expr) =>
        MetricName().Matches(expr).Select(m => m.Value).Select(name =>
            Histograms.FirstOrDefault(h => name == h + "_bucket" || name == h + "_sum" || name == h + "_count") ?? name);

    [Fact]
    public void Dashboard_UsesOnlyContractMetricNames()
    {
        var used = Expressions(Load()).SelectMany(MetricNames).Distinct().ToList();
        Assert.All(used, name => Assert.Contains(name, ContractMetrics));
    }

    [Fact]
    public void Dashboard_ShowsEveryContractMetric()
    {
        var used = Expressions(Load()).SelectMany(MetricNames).ToHashSet();
        Assert.All(ContractMetrics, name => Assert.True(used.Contains(name), $"no panel shows {name}"));
    }

    [Fact]
    public void Histograms_AreQueriedThroughTheirBuckets()
    {
        var exprs = Expressions(Load());
        foreach (var histogram in Histograms)
        {
            Assert.Contains(exprs, e => e.Contains($"histogram_quantile(0.99, sum by (le", StringComparison.Ordinal) && e.Contains(histogram + "_bucket", StringComparison.Ordinal));
            Assert.DoesNotContain(exprs, e => Regex.IsMatch(e, $@"\b{histogram}\b(?!_)"));
        }
    }

    [Fact]
    public void Dashboard_IsImportable_WithATemplatedDatasourceAndUniqueIds()
    {
        var dashboard = Load();
        Assert.False(string.IsNullOrEmpty((string?)dashboard["uid"]));
        Assert.False(string.IsNullOrEmpty((string?)dashboard["title"]));
        var variables = dashboard["templating"]!["list"]!.AsArray().OfType<JsonObject>().ToDictionary(v => (string)v["name"]!);
        Assert.Equal("datasource", (string?)variables["datasource"]["type"]);
        Assert.Equal("prometheus", (string?)variables["datasource"]["query"]);
        Assert.All(Panels(dashboard), p => Assert.Equal("${datasource}", (string?)p["datasource"]!["uid"]));
        var ids = dashboard["panels"]!.AsArray().Select(p => (int)p!["id"]!).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        // Every panel fits the 24-column grid.
        Assert.All(dashboard["panels"]!.AsArray(), p => Assert.True((int)p!["gridPos"]!["x"]! + (int)p["gridPos"]!["w"]! <= 24));
    }

    [Fact]
    public async Task DashboardConfigMap_CarriesTheDashboardFileVerbatim()
    {
        var objects = await ChartFiles.RenderAsync("--set", "dashboard.enabled=true");
        var map = objects.OnlyOne("ConfigMap", "-dashboard");
        var shipped = (string)map["data"]!["k8s-replication.json"]!;
        var file = await File.ReadAllTextAsync(Path.Combine(ChartFiles.ChartDir, "dashboards", "k8s-replication.json"));
        Assert.Equal(file.TrimEnd('\n'), shipped.TrimEnd('\n'));
    }

    [GeneratedRegex(@"\b(replication|k8srepl)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();
}
