namespace K8sReplication.Sidecar.Backup;

/// <summary>
/// An operation on a <see cref="IRemoteStore"/> failed for a reason of the store (unreachable, access denied, no such
/// bucket, I/O error). The message names the store, the operation and the key, and the S3 error code when there is
/// one; it never carries credentials.
/// </summary>
internal sealed class RemoteStoreException : Exception
{
    public RemoteStoreException()
    {
    }

    public RemoteStoreException(string message)
        : base(message)
    {
    }

    public RemoteStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RemoteStoreException(string store, string operation, string? key, string? errorCode, bool isTransient, string detail, Exception? innerException)
        : base(Compose(store, operation, key, errorCode, detail), innerException)
    {
        Operation = operation;
        Key = key;
        ErrorCode = errorCode;
        IsTransient = isTransient;
    }

    /// <summary>What was attempted: <c>put</c>, <c>get</c>, <c>list</c>, <c>delete</c>.</summary>
    public string Operation { get; } = "";

    /// <summary>The key (or the listed prefix) the operation was about, if any.</summary>
    public string? Key { get; }

    /// <summary>The store's own error code (S3: <c>NoSuchBucket</c>, <c>AccessDenied</c>, ...), when it answered with one.</summary>
    public string? ErrorCode { get; }

    /// <summary>
    /// True when trying again later may succeed (the store was unreachable, slow or overloaded); false when it will
    /// not until someone changes the configuration (no such bucket, access denied, bad credentials).
    /// </summary>
    public bool IsTransient { get; }

    private static string Compose(string store, string operation, string? key, string? errorCode, string detail) =>
        $"{operation} {(key is null ? "" : $"'{key}' ")}on {store} failed" + (errorCode is null ? "" : $" ({errorCode})") + $": {detail}";
}
