using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace K8sReplication.Contracts.Mesh;

/// <summary>A user-provided Secret with the members' certificate, in the layout of a <c>kubernetes.io/tls</c> Secret.</summary>
public sealed record TlsSecretReference
{
    /// <summary>Key of the PEM certificate the members present.</summary>
    public const string CertificateKey = "tls.crt";

    /// <summary>Key of its PEM private key.</summary>
    public const string PrivateKeyKey = "tls.key";

    /// <summary>Key of the PEM bundle of authorities the members trust.</summary>
    public const string AuthorityKey = "ca.crt";

    /// <summary>Secret name, in the mesh's namespace.</summary>
    [Required]
    [StringLength(253, MinimumLength = 1)]
    [Description("Name of a Secret in the mesh's namespace with keys tls.crt, tls.key and ca.crt (the layout cert-manager writes). Every member mounts it; its certificate must be usable for both server and client authentication.")]
    public string Name { get; init; } = "";
}
