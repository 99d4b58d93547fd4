namespace K8sReplication.Sidecar.Configuration;

/// <summary>A validated peer: unique node name and absolute http(s) base URL.</summary>
internal sealed record PeerSettings(string Name, Uri Url);
