using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace K8sReplication.Contracts.Mesh;

/// <summary>The Secret with the Redis password, mounted into every member.</summary>
public sealed record RedisSecretReference
{
    /// <summary>Key of the password.</summary>
    public const string PasswordKey = "password";

    /// <summary>Secret name, in the mesh's namespace.</summary>
    [Required]
    [StringLength(253, MinimumLength = 1)]
    [Description("Name of a Secret in the mesh's namespace whose key password holds the Redis password (the user comes from the url). Every member mounts it; the operator never reads it.")]
    public string Name { get; init; } = "";
}
