using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace K8sReplication.Contracts.Mesh;

/// <summary>Which SQLite file and tables the members replicate.</summary>
public sealed record DatabaseSpec
{
    /// <summary>Default of <see cref="Path"/>.</summary>
    public const string DefaultPath = "/data/app.db";

    /// <summary>Path of the SQLite file inside the volume shared by the app and the sidecar.</summary>
    [StringLength(4096, MinimumLength = 1)]
    [CelRule("self == oldSelf", "database.path is immutable: members would start replicating a different file")]
    [DefaultValue(DefaultPath)]
    [Description("Path of the SQLite file inside the volume the app shares with the sidecar. Informational for the operator: each sidecar's --database flag decides.")]
    public string? Path { get; init; }

    /// <summary>Tables to replicate; empty means every table with a primary key.</summary>
    [Description("Tables to replicate. Empty or absent: every table that has a primary key.")]
    public IReadOnlyList<string>? Tables { get; init; }
}
