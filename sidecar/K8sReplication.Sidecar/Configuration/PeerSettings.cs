namespace K8sReplication.Sidecar.Configuration;

/// <summary>
/// A validated peer: unique node name, absolute http(s) base URL, and the site id it must report when the
/// configuration names one (lowercase hex; null binds the peer to the first site it reports).
/// </summary>
internal sealed record PeerSettings(string Name, Uri Url, string? Site = null);
