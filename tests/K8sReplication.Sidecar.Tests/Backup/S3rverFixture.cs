using K8sReplication.Contracts.Config;
using K8sReplication.Sidecar.Backup;
using K8sReplication.TestKit.Tools;

namespace K8sReplication.Sidecar.Tests.Backup;

/// <summary>One s3rver for a test class (started before its first test, removed after its last).</summary>
public sealed class S3rverFixture : IAsyncLifetime
{
    public S3rverServer Server { get; } = new();

    public Task InitializeAsync() => Server.StartAsync();

    public Task DisposeAsync() => Server.DisposeAsync().AsTask();

    /// <summary>A store on the server's bucket under <paramref name="prefix"/>.</summary>
    internal IRemoteStore OpenStore(string prefix, BackupCredentials? credentials = null) =>
        RemoteStores.Open($"s3://{S3rverServer.Bucket}/{prefix}", Server.Endpoint, credentials ?? S3rverServer.Credentials);
}
