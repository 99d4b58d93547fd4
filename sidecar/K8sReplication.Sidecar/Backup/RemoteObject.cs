namespace K8sReplication.Sidecar.Backup;

/// <summary>One object of a <see cref="IRemoteStore"/>: its key (relative to the store's root), size and last write.</summary>
internal sealed record RemoteObject(string Key, long Size, DateTimeOffset LastModified);
