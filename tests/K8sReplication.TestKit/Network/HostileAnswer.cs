namespace K8sReplication.TestKit.Network;

/// <summary>
/// One attack a <see cref="HostilePeer"/> serves for the requests under a path prefix. <see cref="Served"/> counts the
/// answers finished (written to the end, or ended by the client going away), so a test can wait until the attack
/// reached the victim a number of times.
/// </summary>
public sealed class HostileAnswer
{
    private readonly Func<HttpContext, Task> _serve;
    private long _served;
    private long _bytesWritten;

    internal HostileAnswer(string name, string pathPrefix, Func<HttpContext, HostileAnswer, Task> serve)
    {
        Name = name;
        PathPrefix = pathPrefix;
        _serve = context => serve(context, this);
    }

    /// <summary>What the attack is, for failure messages.</summary>
    public string Name { get; }

    /// <summary>Requests whose path starts with this (ordinal) get this answer.</summary>
    public string PathPrefix { get; }

    /// <summary>Answers finished so far.</summary>
    public long Served => Interlocked.Read(ref _served);

    /// <summary>Body bytes written to clients so far (before any content encoding is undone by the client).</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    public override string ToString() => $"{Name} on {PathPrefix} (served {Served}, {BytesWritten} bytes)";

    internal void AddBytes(long count) => Interlocked.Add(ref _bytesWritten, count);

    internal async Task ServeAsync(HttpContext context)
    {
        try
        {
            await _serve(context);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException || context.RequestAborted.IsCancellationRequested)
        {
            // The client hung up in the middle of the answer: that is what a defending client does.
        }
        finally
        {
            Interlocked.Increment(ref _served);
        }
    }
}
