namespace K8sReplication.Operator.Runtime;

/// <summary>
/// Level-triggered reconcile of one key: re-read the state from the caches, converge, and say when to look again.
/// Throwing makes the queue retry the key with per-key exponential backoff.
/// </summary>
internal interface IReconciler
{
    Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken);
}
