using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace K8sReplication.Contracts.Mesh;

/// <summary>A Secret in the mesh's namespace.</summary>
public sealed record SecretReference
{
    /// <summary>
    /// Secret name, in the mesh's namespace (there is deliberately no namespace field); its key <c>token</c> holds the
    /// bearer token. The Secret must carry the label <see cref="Labels.MeshAuthSecret"/>=<see cref="Labels.MeshAuthSecretValue"/>.
    /// </summary>
    [Required]
    [StringLength(253, MinimumLength = 1)]
    [Description("Name of a Secret in the mesh's namespace whose key `token` holds the bearer token the sidecars use. The Secret must carry the label replication.k8srepl.dev/mesh-auth=\"true\"; without it the operator contacts no member.")]
    public string Name { get; init; } = "";
}
