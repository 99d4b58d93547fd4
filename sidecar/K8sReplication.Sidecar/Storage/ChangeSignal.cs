namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// Wakes long-polling feed readers when the local store gained entries (a fold of app writes, or an applied remote
/// batch). Each <see cref="Notify"/> completes the current generation's task and starts a new one, so waiters never
/// miss a signal raised between their check and their wait (they take the task before checking).
/// </summary>
internal sealed class ChangeSignal
{
    private TaskCompletionSource _current = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Take this before checking for data, then await it.</summary>
    public Task NextAsync() => Volatile.Read(ref _current).Task;

    public void Notify()
    {
        var previous = Interlocked.Exchange(ref _current, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }
}
