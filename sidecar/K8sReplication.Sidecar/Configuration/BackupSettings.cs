using K8sReplication.Contracts.Config;

namespace K8sReplication.Sidecar.Configuration;

/// <summary>Validated continuous-backup settings (see <see cref="BackupConfig"/>).</summary>
internal sealed record BackupSettings
{
    public required BackupLocation Location { get; init; }

    /// <summary>S3 endpoint override (path-style addressing), or null for AWS.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Time between two archive rounds.</summary>
    public TimeSpan Interval { get; init; }

    /// <summary>Time between two base snapshots of the mesh.</summary>
    public TimeSpan SnapshotInterval { get; init; }

    /// <summary>Every point in time this far back stays restorable.</summary>
    public TimeSpan Retention { get; init; }

    /// <summary>Static credentials pushed by the operator, or null for the SDK's default chain.</summary>
    public BackupCredentials? Credentials { get; init; }
}
