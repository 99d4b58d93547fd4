namespace K8sReplication.Sidecar.Serve;

/// <summary>The ports actually bound (port 0 resolves at start), used to route requests to their listener.</summary>
internal sealed class ListenerPorts
{
    public int Replication { get; set; }

    public int Admin { get; set; }

    /// <summary>
    /// The replication listener is HTTPS with a required client certificate from the CA bundle: every connection to it
    /// is authenticated by the handshake.
    /// </summary>
    public bool ReplicationTls { get; set; }
}
