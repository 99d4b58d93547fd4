namespace K8sReplication.Sidecar.Backup;

internal sealed record RemoteObject(string Key, long Size, DateTimeOffset LastModified);

internal interface IRemoteStore : IDisposable
{
    string Describe { get; }

    Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct);

    Task<byte[]?> GetAsync(string key, CancellationToken ct);

    IAsyncEnumerable<RemoteObject> ListAsync(string prefix, CancellationToken ct);

    Task DeleteAsync(string key, CancellationToken ct);
}
