namespace K8sReplication.Sidecar.Pull;

/// <summary>
/// A batch held changes for a table whose schema differs from the peer's: the cursor stays put (changes are kept,
/// not dropped) and the tailer re-checks the schema later. Transient by nature (a rolling upgrade ends).
/// </summary>
internal sealed class SchemaHeldBackException : Exception
{
    public SchemaHeldBackException()
    {
    }

    public SchemaHeldBackException(string message)
        : base(message)
    {
    }

    public SchemaHeldBackException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public static bool IsTransient => true;
}

/// <summary>A resynchronisation restarted every feed from its start: the session ends and reads its cursor again.</summary>
internal sealed class FeedsRestartedException : Exception
{
    public FeedsRestartedException()
        : base("every feed is read again from its start after a resynchronisation")
    {
    }

    public FeedsRestartedException(string message)
        : base(message)
    {
    }

    public FeedsRestartedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
