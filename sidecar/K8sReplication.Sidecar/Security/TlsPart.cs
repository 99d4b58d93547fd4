namespace K8sReplication.Sidecar.Security;

/// <summary>Which of the three TLS files a problem is in.</summary>
internal enum TlsPart
{
    Certificate,
    Key,
    Authorities,
}
