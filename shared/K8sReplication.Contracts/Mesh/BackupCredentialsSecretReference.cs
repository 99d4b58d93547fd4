using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace K8sReplication.Contracts.Mesh;

/// <summary>The Secret, in the mesh's namespace, whose S3 credentials the operator pushes to the members' backup.</summary>
public sealed record BackupCredentialsSecretReference
{
    /// <summary>Key of the access key id.</summary>
    public const string AccessKeyIdKey = "accessKeyId";

    /// <summary>Key of the secret access key.</summary>
    public const string SecretAccessKeyKey = "secretAccessKey";

    /// <summary>Key of the optional session token.</summary>
    public const string SessionTokenKey = "sessionToken";

    /// <summary>Key of the optional bucket region.</summary>
    public const string RegionKey = "region";

    /// <summary>
    /// Secret name, in the mesh's namespace (there is deliberately no namespace field). The Secret must carry the label
    /// <see cref="Labels.MeshBackupSecret"/>=<see cref="Labels.MeshBackupSecretValue"/>.
    /// </summary>
    [Required]
    [StringLength(253, MinimumLength = 1)]
    [Description("Name of a Secret in the mesh's namespace with keys accessKeyId and secretAccessKey (and optionally sessionToken and region). The Secret must carry the label replication.k8srepl.dev/mesh-backup=\"true\"; without it no credentials are pushed and BackupHealthy is False.")]
    public string Name { get; init; } = "";
}
