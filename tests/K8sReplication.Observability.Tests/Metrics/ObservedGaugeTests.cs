using K8sReplication.Observability.Metrics;
using static K8sReplication.Observability.Tests.Metrics.Exposition;

namespace K8sReplication.Observability.Tests.Metrics;

public sealed class ObservedGaugeTests
{
    [Fact]
    public async Task Refresh_SetsTheReportedSeries_AndRemovesTheOnesNoLongerReported()
    {
        var factory = NewFactory();
        var gauge = new ObservedGauge(factory.Gauge("replication_lag_seconds", "Lag per peer.", "peer"));
        gauge.Refresh([GaugeSample.Of(1.5, "a"), GaugeSample.Of(2, "b")]);
        Assert.Equal(["replication_lag_seconds{peer=\"a\"} 1.5", "replication_lag_seconds{peer=\"b\"} 2"],
            Samples(await ScrapeAsync(factory.Registry), "replication_lag_seconds").Order(StringComparer.Ordinal));

        gauge.Refresh([GaugeSample.Of(3, "b")]);

        Assert.Equal(["replication_lag_seconds{peer=\"b\"} 3"], Samples(await ScrapeAsync(factory.Registry), "replication_lag_seconds"));
    }

    [Fact]
    public async Task BeforeCollectCallback_RefreshesAtEveryScrape()
    {
        var factory = NewFactory();
        var gauge = new ObservedGauge(factory.Gauge("k8srepl_mesh_members", "Members.", "mesh", "ready"));
        var members = new List<GaugeSample> { GaugeSample.Of(3, "default/demo", "true") };
        factory.Registry.AddBeforeCollectCallback(() => gauge.Refresh(members));

        Assert.Equal(3, Value(await ScrapeAsync(factory.Registry), "k8srepl_mesh_members{mesh=\"default/demo\",ready=\"true\"}"));
        members.Clear();
        Assert.Empty(Samples(await ScrapeAsync(factory.Registry), "k8srepl_mesh_members"));
    }
}
