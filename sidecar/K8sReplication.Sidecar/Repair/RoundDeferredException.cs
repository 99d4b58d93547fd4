namespace K8sReplication.Sidecar.Repair;

/// <summary>
/// A round stops without applying anything because the app is writing: its captures reach peers through the feed
/// before they are folded here, so they look like differences, and applying would fold under the app's writes. The
/// round is recorded as skipped and runs again at the next interval.
/// </summary>
internal sealed class RoundDeferredException(string message) : Exception(message)
{
    public RoundDeferredException()
        : this("the app is writing")
    {
    }

    public RoundDeferredException(string message, Exception inner)
        : this(message + ": " + inner.Message)
    {
    }
}
