namespace K8sReplication.Sidecar.Configuration;

/// <summary>
/// The TLS files in force (all three set). Their paths are fixed at start; their contents are re-read when they
/// change on disk (a rotated Secret).
/// </summary>
internal sealed record TlsSettings(string CertFile, string KeyFile, string CaFile)
{
    public const string CertKey = "tls.certFile";
    public const string KeyKey = "tls.keyFile";
    public const string CaKey = "tls.caFile";

    /// <summary>The flag and environment variable that set a TLS config key, for error messages.</summary>
    public static string Sources(string key) => key switch
    {
        CertKey => "--tls-cert, K8SREPL_TLS_CERT",
        KeyKey => "--tls-key, K8SREPL_TLS_KEY",
        _ => "--tls-ca, K8SREPL_TLS_CA",
    };
}
