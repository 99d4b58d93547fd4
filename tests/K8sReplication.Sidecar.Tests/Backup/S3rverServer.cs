using K8sReplication.Contracts.Config;
using K8sReplication.Sidecar.Backup;
using K8sReplication.TestKit.Tools;

namespace K8sReplication.Sidecar.Tests.Backup;

/// <summary>
/// The real s3rver (<see cref="S3rver"/>) as a test fixture: started before the tests that share it, with stores on
/// its bucket. A missing s3rver fails the test.
/// </summary>
public sealed class S3rverServer : IAsyncLifetime, IAsyncDisposable
{
    public const string AccessKeyId = S3rver.AccessKeyId;

    public const string SecretAccessKey = S3rver.SecretAccessKey;

    private readonly S3rver server = new();

    public string Endpoint => server.Endpoint;

    public static BackupCredentials Credentials => S3rver.Credentials;

    /// <summary>A store on this server's bucket under <paramref name="prefix"/>.</summary>
    internal IRemoteStore OpenStore(string prefix, BackupCredentials? credentials = null) =>
        RemoteStores.Open($"s3://{S3rver.Bucket}/{prefix}", Endpoint, credentials ?? Credentials);

    public Task InitializeAsync() => StartAsync();

    /// <inheritdoc cref="S3rver.StartAsync"/>
    public Task StartAsync() => server.StartAsync();

    /// <inheritdoc cref="S3rver.StopAsync"/>
    public Task StopAsync() => server.StopAsync();

    public Task DisposeAsync() => server.DisposeAsync().AsTask();

    ValueTask IAsyncDisposable.DisposeAsync() => server.DisposeAsync();
}
