using K8sReplication.Observability.Metrics;

namespace K8sReplication.Observability.Tests.Metrics;

public sealed class PrometheusNamesTests
{
    [Theory]
    [InlineData("replication.changes.applied", null, "Counter", "replication_changes_applied_total")]
    [InlineData("replication_changes_applied_total", null, "Counter", "replication_changes_applied_total")]
    [InlineData("replication.changes.applied.total", "", "Counter", "replication_changes_applied_total")]
    [InlineData("replication.lag", "s", "Gauge", "replication_lag_seconds")]
    [InlineData("replication_lag_seconds", "s", "Gauge", "replication_lag_seconds")]
    [InlineData("replication.batch.duration", "s", "Histogram", "replication_batch_duration_seconds")]
    [InlineData("process.cpu", "s", "Counter", "process_cpu_seconds_total")]
    [InlineData("process_cpu_seconds_total", "s", "Counter", "process_cpu_seconds_total")]
    [InlineData("antientropy.bytes", "By", "Counter", "antientropy_bytes_total")]
    [InlineData("antientropy", "By", "Counter", "antientropy_bytes_total")]
    [InlineData("heap.size", "By", "Gauge", "heap_size_bytes")]
    [InlineData("request.duration", "ms", "Histogram", "request_duration_milliseconds")]
    [InlineData("throughput", "By/s", "Gauge", "throughput_bytes_per_second")]
    [InlineData("requests", "{request}", "Counter", "requests_total")]
    [InlineData("ratio", "1", "Gauge", "ratio")]
    [InlineData("http.server-requests/active", null, "Gauge", "http_server_requests_active")]
    [InlineData("9lives", null, "Gauge", "_9lives")]
    [InlineData("ns:recorded.rule", null, "Gauge", "ns:recorded_rule")]
    [InlineData("temperature", "Cel", "Gauge", "temperature_Cel")]
    public void MetricName_IsValidAndCarriesUnitAndTotal(string instrument, string? unit, string type, string expected)
    {
        var name = PrometheusNames.MetricName(instrument, unit, Enum.Parse<MetricType>(type));
        Assert.Equal(expected, name);
        Assert.Matches("^[a-zA-Z_:][a-zA-Z0-9_:]*$", name);
    }

    [Theory]
    [InlineData("peer", "peer")]
    [InlineData("http.route", "http_route")]
    [InlineData("error-type", "error_type")]
    [InlineData("1st", "_1st")]
    [InlineData("ns:label", "ns_label")]
    [InlineData("", "_")]
    public void LabelName_IsSanitised(string key, string expected)
    {
        var name = PrometheusNames.LabelName(key);
        Assert.Equal(expected, name);
        Assert.Matches("^[a-zA-Z_][a-zA-Z0-9_]*$", name);
    }
}
