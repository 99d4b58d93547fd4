using System.Text.Json.Serialization;

namespace K8sReplication.Sidecar.Backup;

/// <summary>
/// The header of an archive object (a change segment or a base snapshot): who wrote it, which of the writer's seqs it
/// covers, its clock range, and the definition of every table it holds (so a restore can create them).
/// </summary>
internal sealed record ArchiveHeader
{
    /// <summary>Layout version of the object.</summary>
    public int Format { get; init; } = ArchiveFormat.Version;

    /// <summary><see cref="ArchiveFormat.SegmentKind"/> or <see cref="ArchiveFormat.SnapshotKind"/>.</summary>
    public string Kind { get; init; } = "";

    /// <summary>The writing member's site id (32 hex digits).</summary>
    public string Site { get; init; } = "";

    /// <summary>A segment holds the writer's own changes with seq above this ...</summary>
    public long From { get; init; }

    /// <summary>... up to and including this one.</summary>
    public long To { get; init; }

    /// <summary>Lowest HLC of a change held (0 when empty).</summary>
    public long MinHlc { get; init; }

    /// <summary>Highest HLC of a change held (0 when empty).</summary>
    public long MaxHlc { get; init; }

    /// <summary>Changes held.</summary>
    public long Changes { get; init; }

    /// <summary>When the object was written.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Per table: its CREATE TABLE statement, then its indexes' CREATE INDEX statements.</summary>
    public Dictionary<string, List<string>> Tables { get; init; } = new(StringComparer.Ordinal);

}

/// <summary>One part of a snapshot: its key, the SHA-256 its key ends with, and how many changes it holds.</summary>
internal sealed record SnapshotPart
{
    public string Key { get; init; } = "";

    public string Sha256 { get; init; } = "";

    public long Changes { get; init; }
}

/// <summary>
/// A snapshot's manifest, written once every part is: the parts and what a restore or the retention needs without
/// reading them. Content addressed like every object: its key ends with the SHA-256 of its bytes.
/// </summary>
internal sealed record SnapshotManifest
{
    /// <summary>The snapshot's parts, each an archive object of kind snapshot; together they hold every row version.</summary>
    public List<SnapshotPart> Parts { get; init; } = [];

    /// <summary>The writing member's site id.</summary>
    public string Site { get; init; } = "";

    /// <summary>Highest HLC of a change the snapshot holds: it serves restore points at or after this.</summary>
    public long MaxHlc { get; init; }

    /// <summary>Changes (rows and tombstones) held.</summary>
    public long Changes { get; init; }

    /// <summary>When the snapshot was written.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// Per site (32 hex digits), the seq of that member's changes up to which the snapshot holds them all (the writer's
    /// feed cursor for the member, lowered for tables held back; for the writer, where its read ended).
    /// </summary>
    public Dictionary<string, long> Coverage { get; init; } = new(StringComparer.Ordinal);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ArchiveHeader))]
[JsonSerializable(typeof(SnapshotManifest))]
[JsonSerializable(typeof(RestoreReport))]
internal sealed partial class BackupJsonContext : JsonSerializerContext;
