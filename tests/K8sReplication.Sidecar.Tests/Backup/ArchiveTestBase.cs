using K8sReplication.Sidecar.Backup;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Storage;
using K8sReplication.TestKit.Sqlite;

namespace K8sReplication.Sidecar.Tests.Backup;

/// <summary>A directory archive and an output folder for one test, and archivers and restores over them.</summary>
public abstract class ArchiveTestBase : IDisposable
{
    private readonly TempDatabase archive = new("unused.db");
    private readonly TempDatabase output = new("unused.db");

    /// <summary>The archive's directory.</summary>
    protected string ArchiveFolder => Path.Combine(archive.Folder, "archive");

    protected string ArchiveUrl => "file://" + ArchiveFolder;

    /// <summary>Where restores write.</summary>
    protected string OutputFolder => output.Folder;

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            archive.Dispose();
            output.Dispose();
        }
    }

    internal static Archiver Archiver(ReplicaStore store, IRemoteStore remote, TimeSpan? snapshotInterval = null, TimeSpan? retention = null,
        int parts = Sidecar.Backup.Archiver.SegmentChanges) =>
        new(store, remote, new BackupSettings
        {
            Location = BackupLocation.Parse("file:///unused", out _)!,
            Interval = TimeSpan.FromSeconds(1),
            SnapshotInterval = snapshotInterval ?? TimeSpan.FromDays(1),
            Retention = retention ?? TimeSpan.FromDays(7),
        }, TimeProvider.System) { PartChanges = parts };

    /// <summary>Restores into <paramref name="name"/> in the output folder.</summary>
    internal async Task<RestoreReport> Restore(IRemoteStore remote, string name, DateTimeOffset? at = null) =>
        await new Restorer(remote).RestoreAsync(Path.Combine(OutputFolder, name), at, false, false, CancellationToken.None);
}
