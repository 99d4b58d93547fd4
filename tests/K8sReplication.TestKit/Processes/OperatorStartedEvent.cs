namespace K8sReplication.TestKit.Processes;

/// <summary>
/// The operator's <c>{"event":"started",...}</c> stdout line (printed once its informers are synced). <c>Webhook</c>
/// is the injection webhook's HTTPS URL, present with <c>--webhook-listen</c> only.
/// </summary>
public sealed record OperatorStartedEvent(Uri Health, Uri Metrics, string Identity, Uri? Webhook = null);
