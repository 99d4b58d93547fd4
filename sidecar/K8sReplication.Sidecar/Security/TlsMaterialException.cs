namespace K8sReplication.Sidecar.Security;

/// <summary>A TLS file that cannot be used: missing, unreadable, not PEM, a key that does not match, no CA in the bundle.</summary>
internal sealed class TlsMaterialException(TlsPart part, string message, Exception? inner = null) : Exception(message, inner)
{
    public TlsPart Part { get; } = part;
}
