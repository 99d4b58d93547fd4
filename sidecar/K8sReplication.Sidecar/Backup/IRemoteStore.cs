namespace K8sReplication.Sidecar.Backup;

/// <summary>
/// Object storage for the backup archive (a directory or an S3 bucket), reduced to what an append-only archive needs:
/// objects are written once and never overwritten, so two writers racing for one key cannot both win. Keys are
/// relative to the store's root, <c>/</c>-separated, and follow <see cref="RemoteKey"/>. Failures of the store itself
/// (unreachable, access denied, no such bucket) are <see cref="RemoteStoreException"/>s.
/// </summary>
internal interface IRemoteStore : IDisposable
{
    /// <summary>Where the store is, for logs and messages (<c>s3://bucket/prefix/</c>, <c>file:///abs/path/</c>); never credentials.</summary>
    string Describe { get; }

    /// <summary>
    /// Writes the object atomically unless the key exists: true when this call created it, false when it already
    /// existed (its content is left as it was). A reader never sees a partly written object.
    /// </summary>
    Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct);

    /// <summary>The object's bytes, or null when absent.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken ct);

    /// <summary>
    /// Every object whose key starts with <paramref name="prefix"/> (which may end mid-name, or be empty for all), in
    /// ordinal key order, read page by page.
    /// </summary>
    IAsyncEnumerable<RemoteObject> ListAsync(string prefix, CancellationToken ct);

    /// <summary>Deletes the object; an absent one is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken ct);
}
