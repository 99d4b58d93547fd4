namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// Wakes long-polling feed readers when the local store gained entries: this member's own (a commit of the app, a
/// fold, a collection round) or other members' (an applied remote batch). Each notification completes the current
/// generation's task and starts a new one, so waiters never miss a signal raised between their check and their wait
/// (they take the task before checking). Readers of this member's own changes wait on <see cref="NextOwnAsync"/>: the
/// remote changes an apply writes are none of them, so in a full mesh the tailers of a member that applies a burst are
/// not woken, page after page, to scan it for nothing. An apply that also folded this member's captures, or settled a
/// unique value (its tombstone may carry this member's version), wakes everyone.
/// </summary>
internal sealed class ChangeSignal
{
    private TaskCompletionSource _any = NewSource();
    private TaskCompletionSource _own = NewSource();

    /// <summary>Take this before checking for data of any site, then await it.</summary>
    public Task NextAsync() => Volatile.Read(ref _any).Task;

    /// <summary>Take this before checking for this member's own changes, then await it.</summary>
    public Task NextOwnAsync() => Volatile.Read(ref _own).Task;

    /// <summary>Entries of this member's own (or a horizon moved): wakes every waiter.</summary>
    public void Notify()
    {
        Interlocked.Exchange(ref _own, NewSource()).TrySetResult();
        Interlocked.Exchange(ref _any, NewSource()).TrySetResult();
    }

    /// <summary>Entries of other members only: wakes the waiters for any site's changes.</summary>
    public void NotifyOthers() => Interlocked.Exchange(ref _any, NewSource()).TrySetResult();

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
