namespace K8sReplication.TestKit.Kube.Admission;

/// <summary>
/// Calling a webhook failed (unreachable, timed out, TLS refused, an invalid response): the webhook's failurePolicy
/// decides whether the write fails or goes on without it. A webhook that answers and denies is not this.
/// </summary>
internal sealed class WebhookCallException : Exception
{
    public WebhookCallException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
