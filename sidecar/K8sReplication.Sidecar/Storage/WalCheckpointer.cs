using System.Globalization;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// Checkpoints the WAL on a connection of its own. The store's write connection has SQLite's automatic checkpoint off,
/// so an applied batch or a fold never copies the WAL into the database inside its commit (that copy, every thousand
/// pages, took milliseconds of the apply path and showed in replication lag); this runs a PASSIVE checkpoint instead,
/// which never blocks the app or the store's writer. The app's own connections keep whatever checkpoint policy they
/// have.
/// </summary>
internal sealed class WalCheckpointer(string databasePath, TimeSpan busyTimeout) : IDisposable
{
    private readonly Lock gate = new();
    private SqliteConnection? connection;
    private SqliteCommand? dataVersion;
    private SqliteCommand? checkpoint;
    private long lastDataVersion = -1;
    private bool disposed;

    /// <summary>
    /// Runs a PASSIVE checkpoint if some connection committed since the last call. Returns the WAL's frames and the
    /// frames checkpointed so far (both 0 when nothing was committed).
    /// </summary>
    public (long WalFrames, long Checkpointed) CheckpointIfWritten()
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (connection is null)
            {
                connection = new SqliteConnection(new SqliteConnectionStringBuilder
                {
                    DataSource = databasePath,
                    Mode = SqliteOpenMode.ReadWrite,
                    Pooling = false,
                    DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
                }.ToString());
                connection.Open();
                dataVersion = connection.CreateCommand();
                dataVersion.CommandText = "PRAGMA data_version";
                checkpoint = connection.CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            }

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
