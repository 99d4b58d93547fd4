namespace K8sReplication.Sidecar.Pull;

/// <summary>The loops that talk to a peer; each keeps its own last error until its own next success.</summary>
internal enum PeerActivity
{
    /// <summary>The hot path: schema handshake, feed fetches and their apply.</summary>
    Feed,

    /// <summary>Anti-entropy rounds.</summary>
    AntiEntropy,
}
