namespace K8sReplication.Kube.Client;

/// <summary>
/// A watch received no bytes (not even a bookmark) for the inactivity timeout, or its stream broke mid-event. The
/// connection has been closed; resuming from the last resourceVersion is safe.
/// </summary>
public sealed class WatchStalledException : KubeApiException
{
    public WatchStalledException()
        : this("watch stalled")
    {
    }

    public WatchStalledException(string message)
        : base(message, 0, null)
    {
    }

    public WatchStalledException(string message, Exception innerException)
        : base(message, 0, null, innerException)
    {
    }

    public override bool IsTransient => true;
}
