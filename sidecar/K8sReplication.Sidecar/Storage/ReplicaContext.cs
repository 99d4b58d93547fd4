using System.Globalization;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// What the parts of a <see cref="ReplicaStore"/> share: the one write connection behind its lock, the prepared
/// statements on it, the table registry, the site numbers, and the figures published after each commit. Every write
/// is one BEGIN IMMEDIATE transaction through <see cref="InWriteTransaction"/>: the parts record their in-memory effects
/// in the transaction's <see cref="WriteEffects"/>, and <see cref="Publish"/> applies them only after the commit, so a
/// rolled-back transaction leaves nothing behind in memory.
/// </summary>
internal sealed class ReplicaContext
{
    private const int MaxBusyAttempts = 5;

    private readonly Dictionary<string, SqliteCommand> commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RawStatement> rawStatements = new(StringComparer.Ordinal);
    private readonly Dictionary<ReplicaTable, (RawStatement Upsert, RawStatement Delete)> rowStatements = [];
    private RawStatement? schemaVersionStatement;
    private TableSet tables = TableSet.Empty;
    private long lastSeq;
    private long clock;
    private long capturedTotal;
    private long liveRows;
    private long tombstones;
    private volatile bool disposed;

    public ReplicaContext(ReplicaStoreOptions options)
    {
        Options = options;
        var busySeconds = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds));
        WriteConnection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = busySeconds,
        }.ToString());
        ReadConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = true,
            DefaultTimeout = busySeconds,
        }.ToString();
        Merkle = new MerkleTree(options.MerkleDepth, new VersionScan(this));
    }

    public ReplicaStoreOptions Options { get; }

    /// <summary>Holds this member's readers back for a moment so the WAL can start over (see <see cref="ReaderPause"/>).</summary>
    public ReaderPause Readers { get; } = new();

    /// <summary>Held for every use of the write connection (a write transaction, or a check on it).</summary>
    public Lock WriteGate { get; } = new();

    public SqliteConnection WriteConnection { get; }

    /// <summary>Read-only, pooled: reads run on WAL snapshots beside the writer.</summary>
    public string ReadConnectionString { get; }

    public MerkleTree Merkle { get; }

    public bool Disposed => disposed;

    public SiteId Site { get; set; }

    /// <summary>
    /// Called when the change feed stops at a capture only the fold can interpret (a replace guard's check entry):
    /// readers wait there until the fold runs, so it should run soon even while the app writes.
    /// </summary>
    public void RequestFold() => Interlocked.Exchange(ref foldWanted, 1);

    /// <summary>Whether a fold was requested since the last call.</summary>
    public bool TakeFoldRequest() => Interlocked.Exchange(ref foldWanted, 0) != 0;

    private int foldWanted;

    /// <summary>Key columns of the capture log (k1..kN; grows with the widest primary key registered).</summary>
    public int LogKeyColumns { get; set; }

    /// <summary>The table registry snapshot; replaced (under the write gate) with <see cref="SetTables"/>.</summary>
    public TableSet Tables => tables;

    /// <summary>Local numbers of the sites seen in committed transactions (and the reverse).</summary>
    public Dictionary<SiteId, long> SiteNumbers { get; } = [];

    public Dictionary<long, SiteId> SitesByNumber { get; } = [];

    /// <summary>Highest local seq committed to the row-version table.</summary>
    public long LastSeq => Interlocked.Read(ref lastSeq);

    /// <summary>The greatest HLC folded, applied or received.</summary>
    public long Clock => Interlocked.Read(ref clock);

    public long CapturedTotal => Interlocked.Read(ref capturedTotal);

    private long collectionHorizon;

    /// <summary>
    /// Tombstones with an HLC at or below this were collected (purged) here: every member had applied them, or they were
    /// older than <c>tombstoneTtl</c>. An incoming tombstone that old for a key with no version here is one of them
    /// coming back, and is skipped (live rows: see <see cref="UncertainUpTo"/>).
    /// </summary>
    public long CollectionHorizon => Interlocked.Read(ref collectionHorizon);

    public void RaiseCollectionHorizon(long hlc) => AtomicMax.Raise(ref collectionHorizon, hlc);

    private long certifiedHorizon;
    private long uncertainMark;

    /// <summary>
    /// The greatest mesh horizon seen: every member counted then had applied every write at or below it, so this member
    /// did too, and no such member can still hold a version older than a tombstone at or below it. 0 when never known.
    /// </summary>
    public long CertifiedHorizon => Interlocked.Read(ref certifiedHorizon);

    /// <summary>
    /// The greatest HLC of a tombstone collected here above <see cref="CertifiedHorizon"/> (by age: some member may not
    /// have applied it), or the certified horizon itself once a member was counted that it did not count (one added
    /// back with its old volume may hold rows deleted meanwhile). See <see cref="UncertainUpTo"/>.
    /// </summary>
    public long UncertainMark => Interlocked.Read(ref uncertainMark);

    /// <summary>
    /// While some member may still hold a row whose delete this member collected (the uncertain mark is not below the
    /// certified horizon), a live version at or below the mark of a key with no version here may be that row coming
    /// back: it is not applied (see ChangeApplier). 0 otherwise: every collected delete was applied by every member, so a
    /// live version from any of them is genuine.
    /// </summary>
    public long UncertainUpTo => UncertainMark is var mark and > 0 && mark >= CertifiedHorizon ? mark : 0;

    public void RaiseCertifiedHorizon(long hlc) => AtomicMax.Raise(ref certifiedHorizon, hlc);

    public void RaiseUncertainMark(long hlc) => AtomicMax.Raise(ref uncertainMark, hlc);

    public (long Rows, long Tombstones) Counts => (Interlocked.Read(ref liveRows), Interlocked.Read(ref tombstones));

    /// <summary>Test hook: called at named fault points ("apply.before-commit", "fold.before-commit").</summary>
    public Action<string>? FaultPoint { get; set; }

    /// <summary>Sets the highest seq found at open (before any other write transaction: seqs continue where the database left off).</summary>
    public void OpenedAt(long maxSeq) => lastSeq = maxSeq;

    /// <summary>Sets the live rows and tombstones counted at open, by the scan that builds the Merkle tree.</summary>
    public void Counted(long live, long dead)
    {
        liveRows = live;
        tombstones = dead;
    }

    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(disposed, typeof(ReplicaStore));

    /// <summary>
    /// Runs <paramref name="body"/> in one BEGIN IMMEDIATE transaction on the write connection and publishes its
    /// in-memory effects after the commit. SQLITE_BUSY beyond the busy timeout restarts the whole transaction.
    /// </summary>
    public T InWriteTransaction<T>(Func<SqliteTransaction, WriteEffects, T> body)
    {
        lock (WriteGate)
        {
            ThrowIfDisposed();
            for (var attempt = 1; ; attempt++)
            {
                var effects = new WriteEffects(lastSeq, clock);
                try
                {
                    T result;
                    using (var tx = WriteConnection.BeginTransaction(deferred: false))
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

    /// <summary>
    /// Runs <paramref name="body"/> in one write transaction if the write lock is free now; false, with nothing run,
    /// when another connection holds it. BEGIN IMMEDIATE runs with busy timeout 0 below the ADO.NET layer (which would
    /// retry until its command timeout), so the lock is taken exactly when it was found free; <paramref name="body"/>
    /// gets no ADO.NET transaction object (its commands run inside the transaction all the same).
    /// </summary>
    public bool TryWriteTransaction<T>(Func<SqliteTransaction, WriteEffects, T> body, out T result)
    {
        lock (WriteGate)
        {
            ThrowIfDisposed();
            var handle = WriteConnection.Handle!;
            SQLitePCL.raw.sqlite3_busy_timeout(handle, 0);
            try
            {
                Raw("BEGIN IMMEDIATE").Execute();
            }
            catch (SqliteException e) when (IsBusy(e))
            {
                result = default!;
                return false;
            }
            finally
            {
                SQLitePCL.raw.sqlite3_busy_timeout(handle, (int)Options.BusyTimeout.TotalMilliseconds);
            }

            var effects = new WriteEffects(lastSeq, clock);
            try
            {
                result = body(null!, effects);
                Raw("COMMIT").Execute();
            }
            catch
            {
                if (SQLitePCL.raw.sqlite3_get_autocommit(handle) == 0)
                {
                    Raw("ROLLBACK").Execute();
                }

                throw;
            }

            Publish(effects);
            return true;
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
            SiteNumbers[site] = number;
            SitesByNumber[number] = site;
        }

        Interlocked.Exchange(ref lastSeq, effects.LastSeq);
        Interlocked.Exchange(ref clock, effects.Clock);
        Interlocked.Add(ref capturedTotal, effects.Captured);
        Interlocked.Add(ref liveRows, effects.LiveRowsDelta);
        Interlocked.Add(ref tombstones, effects.TombstonesDelta);
    }

    public static void RetryBusy(Action action)
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

    public void Fault(string point) => FaultPoint?.Invoke(point);

    public SqliteConnection OpenRead()
    {
        ThrowIfDisposed();
        var connection = new SqliteConnection(ReadConnectionString);
        connection.Open();
        return connection;
    }

    /// <summary>A cached prepared command on the write connection, bound to <paramref name="tx"/>.</summary>
    public SqliteCommand Prepared(SqliteTransaction tx, string sql, int parameterCount)
    {
        if (!commands.TryGetValue(sql, out var command))
        {
            command = WriteConnection.CreateCommand();
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
    public RawStatement Raw(string sql)
    {
        if (!rawStatements.TryGetValue(sql, out var statement))
        {
            statement = new RawStatement(WriteConnection, sql);
            rawStatements[sql] = statement;
        }

        return statement;
    }

    public int Execute(SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = WriteConnection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command.ExecuteNonQuery();
    }

    public object? Scalar(SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = WriteConnection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        var result = command.ExecuteScalar();
        return result is DBNull ? null : result;
    }

    /// <summary>The schema cookie: moves with every CREATE, ALTER or DROP on the database.</summary>
    public long SchemaVersion() => (schemaVersionStatement ??= Raw("PRAGMA schema_version")).ScalarInt64();

    /// <summary>The table's row upsert and delete on the write connection (found by table, not by hashing their SQL).</summary>
    public (RawStatement Upsert, RawStatement Delete) RowStatements(ReplicaTable table)
    {
        if (!rowStatements.TryGetValue(table, out var statements))
        {
            statements = (Raw(table.UpsertRowSql), Raw(table.DeleteRowSql));
            if (tables.ById.TryGetValue(table.Id, out var current) && ReferenceEquals(current, table))
            {
                rowStatements[table] = statements; // only the registry's current instances: SetTables prunes the rest
            }
        }

        return statements;
    }

    /// <summary>Swaps the table registry snapshot (under the write gate) and forgets row statements of replaced tables.</summary>
    public void SetTables(TableSet next)
    {
        tables = next;
        foreach (var table in rowStatements.Keys.ToList())
        {
            if (!next.ById.TryGetValue(table.Id, out var current) || !ReferenceEquals(current, table))
            {
                rowStatements.Remove(table);
            }
        }
    }

    /// <summary>Marks the store disposed and closes the write connection with its statements (under the write gate).</summary>
    public void Close()
    {
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
    }
}
