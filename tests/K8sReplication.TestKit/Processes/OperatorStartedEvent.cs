namespace K8sReplication.TestKit.Processes;

/// <summary>The operator's <c>{"event":"started",...}</c> stdout line (printed once its informers are synced).</summary>
public sealed record OperatorStartedEvent(Uri Health, Uri Metrics, string Identity);
