using System.ComponentModel;

namespace K8sReplication.Contracts.Mesh;

/// <summary>Mutual TLS between members.</summary>
[CelRule("!has(self.mode) || self.mode != 'Secret' || has(self.secretRef)", "tls.secretRef is required when tls.mode is Secret")]
[CelRule("!has(self.secretRef) || (has(self.mode) && self.mode == 'Secret')", "tls.secretRef is only used when tls.mode is Secret")]
public sealed record TlsSpec
{
    /// <summary>Operator (default), Secret or Disabled.</summary>
    [DefaultValue(nameof(TlsMode.Operator))]
    [Description("Operator: the operator runs a certificate authority for the mesh and issues, renews and rotates every member's certificate (Secret <mesh>-member-tls, which members mount). Secret: certificates come from secretRef, renewed by you (for example by cert-manager). Disabled: plain HTTP between members.")]
    public TlsMode? Mode { get; init; }

    /// <summary>The user's Secret when <see cref="Mode"/> is Secret.</summary>
    [Description("With mode Secret: the Secret (in the mesh's namespace) every member mounts, with keys tls.crt, tls.key and ca.crt.")]
    public TlsSecretReference? SecretRef { get; init; }
}
