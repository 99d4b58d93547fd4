namespace K8sReplication.TestKit.Tests.Admission;

/// <summary>A test class with its own <see cref="WebhookCluster"/> per test.</summary>
public abstract class WebhookClusterTest : IAsyncLifetime
{
    private protected WebhookCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await WebhookCluster.StartAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}
