namespace K8sReplication.TestKit.Kube.Storage;

/// <summary>
/// The stored object changed between the read a write was admitted against and the write itself: the caller reads
/// again and admits again (never sent to a client).
/// </summary>
internal sealed class ChangedSinceReadException : Exception
{
    public ChangedSinceReadException()
        : base("the object changed since it was read for admission")
    {
    }
}
