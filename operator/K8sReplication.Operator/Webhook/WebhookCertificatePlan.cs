namespace K8sReplication.Operator.Webhook;

/// <summary>
/// The webhook Secret's next contents (<see cref="Changed"/>: whether writing them changes anything), the caBundle the
/// webhook configuration must carry, and when to look again.
/// </summary>
internal sealed record WebhookCertificatePlan(
    IReadOnlyDictionary<string, byte[]> Data,
    bool Changed,
    string CaBundle,
    TimeSpan RequeueAfter,
    IReadOnlyList<string> Notes);
