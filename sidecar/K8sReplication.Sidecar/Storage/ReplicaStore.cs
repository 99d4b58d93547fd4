using System.Globalization;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// A SQLite database turned into a replica (design 3): capture triggers append the app's changes to a log, the store
/// folds the log into row versions, serves them as a change feed, applies remote changes with last-writer-wins and
/// maintains a Merkle tree of all versions. Thread-safe: one write connection behind a lock (every write is one
/// BEGIN IMMEDIATE transaction, retried on SQLITE_BUSY); reads use pooled read-only connections (WAL snapshots).
/// </summary>
internal sealed partial class ReplicaStore : IDisposable, IMerkleSource
{
    private const int MaxBusyAttempts = 5;
    private const int MaxIdleFeedSessions = 8;

    private readonly ReplicaStoreOptions options;
    private readonly Lock writeGate = new();
    private readonly Lock dataVersionGate = new();
    private readonly SqliteConnection writeConnection;
    private readonly SqliteConnection dataVersionConnection;
    private readonly string readConnectionString;
    private readonly Dictionary<string, SqliteCommand> commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RawStatement> rawStatements = new(StringComparer.Ordinal);
    private readonly Dictionary<ReplicaTable, (RawStatement Upsert, RawStatement Delete)> rowStatements = [];
    private RawStatement? schemaVersionStatement;
    private long triggerModeSchemaVersion = -1;
    private long refreshedSchemaVersion = -1;
    private readonly System.Collections.Concurrent.ConcurrentBag<FeedSession> feedSessions = [];
    private readonly Dictionary<SiteId, long> siteNumbers = [];
    private readonly Dictionary<long, SiteId> sitesByNumber = [];
    private TableSet tables = TableSet.Empty;
    private byte[] siteBytes = [];
    private long lastSeq;
    private long clock;
    private long capturedTotal;
    private long liveRows;
    private long tombstones;
    private long lastDataVersion = -1;
    private SqliteCommand? dataVersionCommand;
    private int logKeyColumns;
    private volatile bool disposed;

    private ReplicaStore(ReplicaStoreOptions options)
    {
        this.options = options;
        var busySeconds = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds));
        writeConnection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = busySeconds,
        }.ToString());
        dataVersionConnection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = busySeconds,
        }.ToString());
        readConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = true,
            DefaultTimeout = busySeconds,
        }.ToString();
        Merkle = new MerkleTree(options.MerkleDepth, this);
    }

    /// <summary>Opens (creating the bookkeeping if needed) a replica over the database at options.DatabasePath.</summary>
    public static ReplicaStore Open(ReplicaStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var store = new ReplicaStore(options);
        try
        {
            store.Initialize();
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public SiteId Site { get; private set; }

    /// <summary>
    /// Whether the last applied batch ran with triggers on (some replicated table has a trigger of the app's own);
    /// see SyncTriggerMode.
    /// </summary>
    internal bool AppTriggersFire { get; private set; }

    /// <summary>The last install report (from Open or Refresh).</summary>
    public InstallReport Install { get; private set; } = new([], []);

    /// <summary>Schema hash of every replicated table, by name.</summary>
    public IReadOnlyDictionary<string, string> SchemaHashes => tables.Hashes;

    /// <summary>Highest local seq committed to the row-version table.</summary>
    public long MaxSeq => Interlocked.Read(ref lastSeq);

    /// <summary>Current local clock: the greatest HLC folded, applied or received.</summary>
    public long Hlc => Interlocked.Read(ref clock);

    /// <summary>Local app changes folded so far (replication_changes_captured_total).</summary>
    public long CapturedTotal => Interlocked.Read(ref capturedTotal);

    public MerkleTree Merkle { get; }

    /// <summary>Test hook: called at named fault points ("apply.before-commit", "fold.before-commit").</summary>
    internal Action<string>? FaultPoint { get; set; }

    /// <summary>
    /// Cheap change detection: true when some connection committed to the database since the last call
    /// (PRAGMA data_version on a dedicated connection).
    /// </summary>
    public bool HasExternalChanges()
    {
        lock (dataVersionGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (dataVersionCommand is null)
            {
                dataVersionCommand = dataVersionConnection.CreateCommand();
                dataVersionCommand.CommandText = "PRAGMA data_version";
            }

            var version = Convert.ToInt64(dataVersionCommand.ExecuteScalar(), CultureInfo.InvariantCulture);
            var changed = version != lastDataVersion;
            lastDataVersion = version;
            return changed;
        }
    }

    public void Dispose()
    {
        lock (writeGate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            foreach (var command in commands.Values)
            {
                command.Dispose();
            }

            commands.Clear();
            foreach (var statement in rawStatements.Values)
            {
                statement.Dispose();
            }

            rawStatements.Clear();
            rowStatements.Clear();
            while (feedSessions.TryTake(out var session))
            {
                session.Dispose();
            }

            writeConnection.Dispose();
            lock (dataVersionGate)
            {
                dataVersionCommand?.Dispose();
                dataVersionConnection.Dispose();
            }

            using var pooled = new SqliteConnection(readConnectionString);
            SqliteConnection.ClearPool(pooled);
        }
    }

    private static void Validate(ReplicaStoreOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            throw new ArgumentException("DatabasePath: required", nameof(options));
        }

        if (options.MerkleDepth is < 1 or > 6)
        {
            throw new ArgumentException($"MerkleDepth: must be 1..6, got {options.MerkleDepth}", nameof(options));
        }

        if (options.MaxBatchSize < 1)
        {
            throw new ArgumentException($"MaxBatchSize: must be positive, got {options.MaxBatchSize}", nameof(options));
        }

        if (options.CacheSizeKiB < 0)
        {
            throw new ArgumentException($"CacheSizeKiB: must not be negative, got {options.CacheSizeKiB}", nameof(options));
        }

        if (options.MaxClockSkew <= TimeSpan.Zero)
        {
            throw new ArgumentException($"MaxClockSkew: must be positive, got {options.MaxClockSkew}", nameof(options));
        }
    }

    private void Initialize()
    {
        writeConnection.Open();
        Execute(null, $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}");
        RetryBusy(() => Execute(null, "PRAGMA journal_mode = WAL"));
        Execute(null, "PRAGMA synchronous = NORMAL");
        Execute(null, string.Create(CultureInfo.InvariantCulture, $"PRAGMA cache_size = -{options.CacheSizeKiB}"));
        dataVersionConnection.Open();
        using (var command = dataVersionConnection.CreateCommand())
        {
            command.CommandText = $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}";
            command.ExecuteNonQuery();
        }

        var maxSeq = InWriteTransaction((tx, effects) =>
        {
            var format1 = MigrateFormat1Begin(tx);
            Execute(tx, BookkeepingSchema.Ddl);
            MigrateToUniqueKeyIds(tx);
            Execute(tx, "INSERT OR IGNORE INTO __repl_site(id, site) VALUES (0, @site)", ("@site", SiteId.NewRandom().ToByteArray()));
            siteBytes = (byte[])Scalar(tx, "SELECT site FROM __repl_site WHERE id = 0")!;
            Site = SiteId.FromBytes(siteBytes);
            LoadSites(tx);
            _ = SiteNumber(effects, Site);
            var floor = Convert.ToInt64(Scalar(tx, "SELECT clock_floor FROM __repl_state WHERE id = 0"), CultureInfo.InvariantCulture);
            RaiseClockFloor(tx, effects, floor); // databases installed before clock entries existed get one
            logKeyColumns = Convert.ToInt32(
                Scalar(tx, "SELECT count(*) FROM pragma_table_info('__repl_log') WHERE name LIKE 'k%'"), CultureInfo.InvariantCulture);
            SetTables(LoadRegistry(tx));
            if (format1)
            {
                MigrateFormat1Copy(tx, effects);
            }

            return Scalar(tx, "SELECT max(seq) FROM __repl_versions") is long l ? l : 0;
        });
        lastSeq = maxSeq; // before any other write transaction: seqs continue where the database left off
        Refresh();
        var tally = new VersionTally();
        Merkle.Reset(ScanDigests(writeConnection, null, tally)); // one scan builds the tree and counts the rows
        liveRows = tally.Live;
        tombstones = tally.Tombstones;
    }

    /// <summary>
    /// Runs <paramref name="body"/> in one BEGIN IMMEDIATE transaction on the write connection and publishes its
    /// in-memory effects after the commit. SQLITE_BUSY beyond the busy timeout restarts the whole transaction.
    /// </summary>
    private T InWriteTransaction<T>(Func<SqliteTransaction, WriteEffects, T> body)
    {
        lock (writeGate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            for (var attempt = 1; ; attempt++)
            {
                var effects = new WriteEffects(lastSeq, clock);
                try
                {
                    T result;
                    using (var tx = writeConnection.BeginTransaction(deferred: false))
                    {
                        result = body(tx, effects);
                        tx.Commit();
                    }

                    Publish(effects);
                    return result;
                }
                catch (SqliteException ex) when (IsBusy(ex) && attempt < MaxBusyAttempts && !disposed)
                {
                    // The transaction rolled back; nothing was published. Try again from the start.
                }
            }
        }
    }

    private void Publish(WriteEffects effects)
    {
        foreach (var (bucket, d0, d1) in effects.MerkleDeltas)
        {
            Merkle.Apply(bucket, d0, d1);
        }

        foreach (var (site, number) in effects.NewSites)
        {
            siteNumbers[site] = number;
            sitesByNumber[number] = site;
        }

        Interlocked.Exchange(ref lastSeq, effects.LastSeq);
        Interlocked.Exchange(ref clock, effects.Clock);
        Interlocked.Add(ref capturedTotal, effects.Captured);
        Interlocked.Add(ref liveRows, effects.LiveRowsDelta);
        Interlocked.Add(ref tombstones, effects.TombstonesDelta);
    }

    private static void RetryBusy(Action action)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                action();
                return;
            }
            catch (SqliteException ex) when (IsBusy(ex) && attempt < MaxBusyAttempts)
            {
            }
        }
    }

    private static bool IsBusy(SqliteException ex) => ex.SqliteErrorCode is 5 or 6; // SQLITE_BUSY, SQLITE_LOCKED

    private void Fault(string point) => FaultPoint?.Invoke(point);

    private SqliteConnection OpenRead()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var connection = new SqliteConnection(readConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>A cached prepared command on the write connection, bound to <paramref name="tx"/>.</summary>
    private SqliteCommand Prepared(SqliteTransaction tx, string sql, int parameterCount)
    {
        if (!commands.TryGetValue(sql, out var command))
        {
            command = writeConnection.CreateCommand();
            command.CommandText = sql;
            for (var i = 0; i < parameterCount; i++)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = "@p" + i.ToString(CultureInfo.InvariantCulture) });
            }

            commands[sql] = command;
        }

        command.Transaction = tx;
        return command;
    }

    /// <summary>A cached raw statement on the write connection (hot paths; see <see cref="RawStatement"/>).</summary>
    private RawStatement Raw(string sql)
    {
        if (!rawStatements.TryGetValue(sql, out var statement))
        {
            statement = new RawStatement(writeConnection, sql);
            rawStatements[sql] = statement;
        }

        return statement;
    }

    private int Execute(SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = writeConnection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command.ExecuteNonQuery();
    }

    private object? Scalar(SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = writeConnection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        var result = command.ExecuteScalar();
        return result is DBNull ? null : result;
    }
}
