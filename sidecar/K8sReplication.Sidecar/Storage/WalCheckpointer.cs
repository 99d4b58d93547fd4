using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// Checkpoints the WAL on a connection of its own. The store's write connection has SQLite's automatic checkpoint off,
/// so an applied batch or a fold never copies the WAL into the database inside its commit (that copy, every thousand
/// pages, took milliseconds of the apply path and showed in replication lag); this runs a PASSIVE checkpoint instead,
/// which never blocks the app or the store's writer. The app's own connections keep whatever checkpoint policy they
/// have. Once the database is quiet, a WAL file left long by a burst is truncated (<see cref="TruncateIfLonger"/>).
/// </summary>
internal sealed class WalCheckpointer(string databasePath, TimeSpan busyTimeout) : IDisposable
{
    private readonly Lock gate = new();
    private SqliteConnection? connection;
    private SqliteCommand? dataVersion;
    private SqliteCommand? checkpoint;
    private long lastDataVersion = -1;
    private long pageSize = 4096;
    private bool disposed;

    /// <summary>
    /// Runs a PASSIVE checkpoint if some connection committed since the last call. Returns the WAL's frames and the
    /// frames checkpointed so far (both 0 when nothing was committed).
    /// </summary>
    public (long WalFrames, long Checkpointed) CheckpointIfWritten()
    {
        lock (gate)
        {
            EnsureOpen();
            var version = Convert.ToInt64(dataVersion!.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (version == lastDataVersion)
            {
                return (0, 0);
            }

            lastDataVersion = version;
            using var reader = checkpoint!.ExecuteReader();
            reader.Read();
            return (reader.GetInt64(1), reader.GetInt64(2));
        }
    }

    /// <summary>Bytes of WAL that <paramref name="frames"/> frames take (page and frame header).</summary>
    public long WalBytesOf(long frames) => frames * (Volatile.Read(ref pageSize) + 24);

    /// <summary>The WAL file's length in bytes (0 when there is none).</summary>
    public long WalFileBytes()
    {
        var wal = new FileInfo(databasePath + "-wal");
        return wal.Exists ? wal.Length : 0;
    }

    /// <summary>
    /// When the WAL file is longer than <paramref name="bytes"/>, copies what is left of it into the database and
    /// truncates it to zero bytes (a TRUNCATE checkpoint). That checkpoint holds SQLite's write lock while it works, so
    /// it never waits: if a reader still uses the WAL or a writer holds the lock it gives up at once and returns false
    /// (call it again later). The caller calls it only once the database is quiet, and the WAL has been kept copied
    /// meanwhile, so the lock is held for a truncate, not for a copy.
    /// </summary>
    public bool TruncateIfLonger(long bytes)
    {
        lock (gate)
        {
            EnsureOpen();
            if (WalFileBytes() <= bytes)
            {
                return false;
            }

            var rc = raw.sqlite3_wal_checkpoint_v2(connection!.Handle, "main", raw.SQLITE_CHECKPOINT_TRUNCATE, out _, out _);
            if (rc is raw.SQLITE_BUSY or raw.SQLITE_LOCKED)
            {
                return false;
            }

            if (rc != raw.SQLITE_OK)
            {
                SqliteException.ThrowExceptionForRC(rc, connection.Handle);
            }

            return true;
        }
    }

    /// <summary>Opens the checkpoint connection on first use (caller holds the gate).</summary>
    private void EnsureOpen()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (connection is not null)
        {
            return;
        }

        connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
        }.ToString());
        connection.Open();

        // Checkpoints on this connection never wait for a lock (only TRUNCATE would: see TruncateIfLonger).
        using (var noWait = connection.CreateCommand())
        {
            noWait.CommandText = "PRAGMA busy_timeout = 0";
            noWait.ExecuteNonQuery();
        }

        using (var size = connection.CreateCommand())
        {
            size.CommandText = "PRAGMA page_size";
            pageSize = Convert.ToInt64(size.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        dataVersion = connection.CreateCommand();
        dataVersion.CommandText = "PRAGMA data_version";
        checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
    }

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            checkpoint?.Dispose();
            dataVersion?.Dispose();
            connection?.Dispose();
        }
    }
}
