using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace K8sReplication.Contracts.Mesh;

/// <summary>A Secret in the mesh's namespace.</summary>
public sealed record SecretReference
{
    /// <summary>Secret name; its key <c>token</c> holds the bearer token.</summary>
    [Required]
    [StringLength(253, MinimumLength = 1)]
    [Description("Name of a Secret in the mesh's namespace whose key `token` holds the bearer token the sidecars use.")]
    public string Name { get; init; } = "";
}
