using System.Globalization;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// A SQLite database turned into a replica: capture triggers append the app's changes to a log, the store folds the
/// log into row versions, serves them as a change feed, applies remote changes with last-writer-wins and maintains a
/// Merkle tree of all versions. Thread-safe: one write connection behind a lock (every write is one BEGIN IMMEDIATE
/// transaction, retried on SQLITE_BUSY); reads use pooled read-only connections (WAL snapshots).
/// </summary>
/// <remarks>
/// The facade over the store's parts, which share one <see cref="ReplicaContext"/>: <see cref="CaptureInstaller"/>,
/// <see cref="CaptureFold"/>, <see cref="VersionIndex"/>, <see cref="ChangeApplier"/>, <see cref="FeedReader"/>,
/// <see cref="CursorTable"/>, <see cref="VersionScan"/> and <see cref="FormatMigrations"/>.
/// </remarks>
internal sealed class ReplicaStore : IDisposable
{
    private readonly ReplicaContext context;
    private readonly VersionIndex versions;
    private readonly CaptureFold fold;
    private readonly CaptureInstaller installer;
    private readonly ChangeApplier applier;
    private readonly FeedReader feed;
    private readonly CursorTable cursors;
    private readonly FormatMigrations migrations;
    private readonly VersionScan scan;
    private readonly WalCheckpointer checkpointer;
    private readonly ConflictLog conflicts;
    private readonly TombstoneCollector collector;
    private readonly Lock dataVersionGate = new();
    private readonly SqliteConnection dataVersionConnection;
    private SqliteCommand? dataVersionCommand;
    private SqliteCommand? captureHeadCommand;
    private long lastDataVersion = -1;

    /// <summary>Size a restarted WAL is truncated to (journal_size_limit of the write connection).</summary>
    private const long WalSizeLimitBytes = 64L * 1024 * 1024;

    private ReplicaStore(ReplicaStoreOptions options)
    {
        context = new ReplicaContext(options);
        versions = new VersionIndex(context);
        fold = new CaptureFold(context, versions);
        installer = new CaptureInstaller(context, fold);
        conflicts = new ConflictLog(context);
        collector = new TombstoneCollector(context, versions);
        applier = new ChangeApplier(context, versions, fold, conflicts);
        feed = new FeedReader(context, versions);
        cursors = new CursorTable(context);
        migrations = new FormatMigrations(context, versions);
        scan = new VersionScan(context);
        checkpointer = new WalCheckpointer(options.DatabasePath, options.BusyTimeout);
        dataVersionConnection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds)),
        }.ToString());
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

    public SiteId Site => context.Site;

    /// <summary>
    /// Whether the last applied batch ran with triggers on (some replicated table has a trigger of the app's own);
    /// see ChangeApplier.SyncTriggerMode.
    /// </summary>
    internal bool AppTriggersFire => applier.AppTriggersFire;

    /// <summary>The last install report (from Open or Refresh).</summary>
    public InstallReport Install => installer.Install;

    /// <summary>Schema hash of every replicated table, by name.</summary>
    public IReadOnlyDictionary<string, string> SchemaHashes => context.Tables.Hashes;

    /// <summary>Highest local seq committed to the row-version table.</summary>
    public long MaxSeq => context.LastSeq;

    /// <summary>Current local clock: the greatest HLC folded, applied or received.</summary>
    public long Hlc => context.Clock;

    /// <summary>Local app changes folded so far (replication_changes_captured_total).</summary>
    public long CapturedTotal => context.CapturedTotal;

    public MerkleTree Merkle => context.Merkle;

    /// <summary>Test hook: called at named fault points ("apply.before-commit", "fold.before-commit").</summary>
    internal Action<string>? FaultPoint
    {
        get => context.FaultPoint;
        set => context.FaultPoint = value;
    }

    /// <inheritdoc cref="CaptureFold.FoldSlice"/>
    public const int FoldSliceEntries = CaptureFold.FoldSlice;

    /// <inheritdoc cref="CaptureFold.Fold"/>
    public int Fold(int maxEntries = CaptureFold.FoldChunk, bool onlyIfLockFree = false) => fold.Fold(maxEntries, onlyIfLockFree);

    /// <summary>Whether the change feed asked for a fold since the last call (it stopped at a replace guard's check).</summary>
    public bool TakeFoldRequest() => context.TakeFoldRequest();

    /// <inheritdoc cref="CaptureFold.TryFoldAll"/>
    public bool TryFoldAll() => fold.TryFoldAll();

    /// <inheritdoc cref="CaptureFold.Consumed"/>
    public long FoldConsumed => fold.Consumed;

    /// <inheritdoc cref="CaptureFold.HasPendingCaptures"/>
    public bool HasPendingCaptures() => fold.HasPendingCaptures();

    /// <inheritdoc cref="CaptureInstaller.Refresh"/>
    public InstallReport Refresh() => installer.Refresh();

    /// <inheritdoc cref="CaptureInstaller.SchemaChangedSinceRefresh"/>
    public bool SchemaChangedSinceRefresh() => installer.SchemaChangedSinceRefresh();

    /// <inheritdoc cref="ChangeApplier.ApplyBatch"/>
    public ApplyResult ApplyBatch(IReadOnlyList<Change> changes, string cursorKey, string cursorValue,
        IReadOnlyDictionary<string, string>? senderSchemaHashes = null, string? heldKeyPrefix = null) =>
        applier.ApplyBatch(changes, cursorKey, cursorValue, senderSchemaHashes, heldKeyPrefix);

    /// <summary>How long and how many conflict-log entries are kept; takes effect from the next record or prune.</summary>
    public ConflictRetention ConflictRetention
    {
        get => conflicts.Retention;
        set => conflicts.Retention = value;
    }

    /// <inheritdoc cref="ConflictLog.Read"/>
    public IReadOnlyList<ConflictEntry> ReadConflicts(string? table, DateTimeOffset? since, int limit) => conflicts.Read(table, since, limit);

    /// <inheritdoc cref="ConflictLog.Count"/>
    public long ConflictCount() => conflicts.Count();

    /// <inheritdoc cref="ConflictLog.Prune"/>
    public int PruneConflicts() => conflicts.Prune();

    /// <inheritdoc cref="TombstoneCollector.Collect"/>
    public int CollectTombstones(long horizon, long certified = 0, int max = int.MaxValue)
    {
        var collected = collector.Collect(horizon, certified, max);
        if (collected > 0)
        {
            Interlocked.Increment(ref historyEpoch);
        }

        return collected;
    }

    /// <inheritdoc cref="TombstoneCollector.MemberCounted"/>
    public void MemberCounted() => collector.MemberCounted();

    /// <inheritdoc cref="ReplicaContext.CertifiedHorizon"/>
    public long CertifiedHorizon => context.CertifiedHorizon;

    /// <inheritdoc cref="ReplicaContext.UncertainUpTo"/>
    public long UncertainUpTo => context.UncertainUpTo;

    /// <inheritdoc cref="TombstoneCollector.Marks"/>
    public (long Own, long All) CollectedMarks() => collector.Marks();

    private long feedsGeneration;
    private long readerBehindAt;
    private long historyEpoch;

    /// <summary>
    /// Raised whenever entries leave the history the feed serves other than by a later change of the same row
    /// (tombstones collected, rows dropped by a resynchronisation): pages read before are not served after.
    /// </summary>
    public long HistoryEpoch => Interlocked.Read(ref historyEpoch);

    /// <summary>Raised by <see cref="RestartFeeds"/>: a tailer that sees it change ends its session and reads its cursor again.</summary>
    public long FeedsGeneration => Interlocked.Read(ref feedsGeneration);

    /// <summary>Every peer's feed is read again from its start (after a resynchronisation dropped rows).</summary>
    public void RestartFeeds()
    {
        cursors.RestartFeeds();
        Interlocked.Increment(ref feedsGeneration);
    }

    /// <inheritdoc cref="StaleResync.DropAbsent"/>
    public StaleDrop DropAbsentAtPeer(Func<string, byte[], bool> peerHolds, long peerAppliedOwn, SiteId peer, long peerUncertain)
    {
        // Raised before the rows go as well as after: a page read while they go is not kept past it.
        Interlocked.Increment(ref historyEpoch);
        try
        {
            return new StaleResync(context, versions, conflicts).DropAbsent(peerHolds, peerAppliedOwn, peer, peerUncertain);
        }
        finally
        {
            Interlocked.Increment(ref historyEpoch);
        }
    }

    /// <inheritdoc cref="TombstoneCollector.OwnHorizon"/>
    public long OwnHorizon(long appliedSeq) => collector.OwnHorizon(appliedSeq);

    /// <inheritdoc cref="TombstoneCollector.CountCollectable"/>
    internal long CountCollectable(long horizon) => collector.CountCollectable(horizon);

    /// <summary>The members' collection horizons (see <see cref="MeshHorizons"/>).</summary>
    public MeshHorizons Horizons { get; } = new();

    /// <summary>This member's continuous backup (see <see cref="BackupProgress"/>).</summary>
    public BackupProgress Backup { get; } = new();

    /// <summary>
    /// The definitions of <paramref name="tables"/>: per table, its CREATE TABLE statement then its indexes' (what a
    /// restore needs to create them). Tables that do not exist are left out.
    /// </summary>
    public Dictionary<string, List<string>> TableDefinitions(IEnumerable<string> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        using var connection = context.OpenRead();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT sql FROM sqlite_master WHERE tbl_name = $t AND sql IS NOT NULL AND type IN ('table', 'index')
            ORDER BY type = 'index', name
            """;
        var name = command.Parameters.Add("$t", SqliteType.Text);
        var definitions = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            name.Value = table;
            using var reader = command.ExecuteReader();
            var statements = new List<string>();
            while (reader.Read())
            {
                statements.Add(reader.GetString(0));
            }

            if (statements.Count > 0)
            {
                definitions[table] = statements;
            }
        }

        return definitions;
    }

    /// <inheritdoc cref="ReplicaContext.CollectionHorizon"/>
    public long CollectionHorizon => context.CollectionHorizon;

    /// <inheritdoc cref="CursorTable.TakeHeld"/>
    public string? TakeHeld(string cursorKey, string heldKeyPrefix, IReadOnlyCollection<string> tables) =>
        cursors.TakeHeld(cursorKey, heldKeyPrefix, tables);

    /// <inheritdoc cref="CursorTable.ReadCursor"/>
    public string? ReadCursor(string cursorKey) => cursors.ReadCursor(cursorKey);

    /// <inheritdoc cref="CursorTable.ReadCursors"/>
    public Dictionary<string, string> ReadCursors(string prefix) => cursors.ReadCursors(prefix);

    /// <inheritdoc cref="CursorTable.WriteCursor"/>
    public void WriteCursor(string cursorKey, string value) => cursors.WriteCursor(cursorKey, value);

    /// <inheritdoc cref="FeedReader.ReadChanges"/>
    public ChangeBatch ReadChanges(long afterSeq, int limit, SiteId? origin = null, long maxBytes = long.MaxValue) =>
        feed.ReadChanges(afterSeq, limit, origin, maxBytes);

    /// <summary>
    /// The change feed served a peer a page of <paramref name="changes"/> up to <paramref name="lastSeq"/>, read when the
    /// newest seq was <paramref name="maxSeq"/>: a page with changes that stops short of it means that peer is catching
    /// up (see <see cref="FeedReaderBehindWithin"/>).
    /// </summary>
    public void NoteServedPage(int changes, long lastSeq, long maxSeq)
    {
        if (changes > 0 && lastSeq < maxSeq)
        {
            Interlocked.Exchange(ref readerBehindAt, context.Options.TimeProvider.GetTimestamp());
        }
    }

    /// <summary>
    /// Whether a feed page served to a peer within <paramref name="window"/> stopped short of the newest seq: a peer is
    /// catching up on this member's changes (the archive and the stream publisher read the feed too, and do not count).
    /// </summary>
    public bool FeedReaderBehindWithin(TimeSpan window)
    {
        var at = Interlocked.Read(ref readerBehindAt);
        return at != 0 && context.Options.TimeProvider.GetElapsedTime(at) < window;
    }

    /// <inheritdoc cref="FeedReader.ReadRows"/>
    public IReadOnlyList<Change> ReadRows(string table, IReadOnlyList<byte[]> keys) => feed.ReadRows(table, keys);

    /// <summary>Live rows and tombstones in the row-version table, maintained in memory as versions are written.</summary>
    public (long Rows, long Tombstones) Counts() => context.Counts;

    /// <inheritdoc cref="VersionScan.CountVersions"/>
    internal (long Rows, long Tombstones) CountVersions() => scan.CountVersions();

    /// <summary>
    /// Cheap change detection: true when some connection committed to the database since the last call
    /// (PRAGMA data_version on a dedicated connection).
    /// </summary>
    public bool HasExternalChanges()
    {
        lock (dataVersionGate)
        {
            var version = ChangeDetectionScalar(ref dataVersionCommand, "PRAGMA data_version");
            var changed = version != lastDataVersion;
            lastDataVersion = version;
            return changed;
        }
    }

    /// <summary>
    /// The capture log's newest seq (a clock entry's when nothing is pending): how far the change feed reaches, read on
    /// the change-detection connection without touching the write lock.
    /// </summary>
    public long CaptureHead()
    {
        lock (dataVersionGate)
        {
            return ChangeDetectionScalar(ref captureHeadCommand, "SELECT coalesce(max(seq), 0) FROM __repl_log");
        }
    }

    /// <summary>A one-number query on the change-detection connection (caller holds dataVersionGate), prepared once.</summary>
    private long ChangeDetectionScalar(ref SqliteCommand? command, string sql)
    {
        context.ThrowIfDisposed();
        if (command is null)
        {
            command = dataVersionConnection.CreateCommand();
            command.CommandText = sql;
        }

        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <inheritdoc cref="WalCheckpointer.CheckpointIfWritten"/>
    public (long WalFrames, long Checkpointed) CheckpointIfWritten()
    {
        context.ThrowIfDisposed();
        return checkpointer.CheckpointIfWritten();
    }

    /// <inheritdoc cref="FeedReader.CountLocalAfter"/>
    public long CountLocalAfter(long afterSeq) => feed.CountLocalAfter(afterSeq);

    /// <inheritdoc cref="WalCheckpointer.WalBytesOf"/>
    public long WalBytesOf(long frames) => checkpointer.WalBytesOf(frames);

    /// <summary>This member's readers, held back for a moment while the WAL starts over (see <see cref="ReaderPause"/>).</summary>
    public ReaderPause Readers => context.Readers;

    /// <inheritdoc cref="WalCheckpointer.TruncateIfLonger"/>
    public bool TruncateWalIfLonger(long bytes)
    {
        context.ThrowIfDisposed();
        return checkpointer.TruncateIfLonger(bytes);
    }

    /// <summary>The database file's and the WAL file's lengths in bytes.</summary>
    public (long DatabaseBytes, long WalBytes) FileSizes()
    {
        var database = new FileInfo(context.Options.DatabasePath);
        return (database.Exists ? database.Length : 0, checkpointer.WalFileBytes());
    }

    public void Dispose()
    {
        lock (context.WriteGate)
        {
            if (context.Disposed)
            {
                return;
            }

            context.Close();
            feed.Close();
            checkpointer.Dispose();
            context.WriteConnection.Dispose();
            lock (dataVersionGate)
            {
                dataVersionCommand?.Dispose();
                captureHeadCommand?.Dispose();
                dataVersionConnection.Dispose();
            }

            using var pooled = new SqliteConnection(context.ReadConnectionString);
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
        var options = context.Options;
        context.WriteConnection.Open();
        context.Execute(null, $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}");
        ReplicaContext.RetryBusy(() => context.Execute(null, "PRAGMA journal_mode = WAL"));
        context.Execute(null, options.SyncCommits ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = OFF");

        // Checkpoints run beside the writer (WalCheckpointer), never inside an apply's or a fold's commit; a WAL the
        // writer restarts is cut back to this size.
        context.Execute(null, "PRAGMA wal_autocheckpoint = 0");
        context.Execute(null, string.Create(CultureInfo.InvariantCulture, $"PRAGMA journal_size_limit = {WalSizeLimitBytes}"));
        context.Execute(null, string.Create(CultureInfo.InvariantCulture, $"PRAGMA cache_size = -{options.CacheSizeKiB}"));
        dataVersionConnection.Open();
        using (var command = dataVersionConnection.CreateCommand())
        {
            command.CommandText = $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}";
            command.ExecuteNonQuery();
        }

        var maxSeq = context.InWriteTransaction((tx, effects) =>
        {
            var format1 = migrations.MigrateFormat1Begin(tx);
            context.Execute(tx, BookkeepingSchema.Ddl);
            migrations.MigrateToUniqueKeyIds(tx);
            migrations.AddBaseColumns(tx);
            context.Execute(tx, "INSERT OR IGNORE INTO __repl_site(id, site) VALUES (0, @site)", ("@site", SiteId.NewRandom().ToByteArray()));
            context.Site = SiteId.FromBytes((byte[])context.Scalar(tx, "SELECT site FROM __repl_site WHERE id = 0")!);
            versions.LoadSites(tx);
            _ = versions.SiteNumber(effects, context.Site);
            var floor = Convert.ToInt64(context.Scalar(tx, "SELECT clock_floor FROM __repl_state WHERE id = 0"), CultureInfo.InvariantCulture);
            fold.RaiseClockFloor(tx, effects, floor); // databases installed before clock entries existed get one
            context.LogKeyColumns = Convert.ToInt32(
                context.Scalar(tx, "SELECT count(*) FROM pragma_table_info('__repl_log') WHERE name LIKE 'k%'"), CultureInfo.InvariantCulture);
            context.SetTables(installer.LoadRegistry(tx));
            if (format1)
            {
                migrations.MigrateFormat1Copy(tx, effects);
            }

            return context.Scalar(tx, "SELECT max(seq) FROM __repl_versions") is long l ? l : 0;
        });
        context.OpenedAt(maxSeq); // before any other write transaction: seqs continue where the database left off
        collector.LoadCertification();
        installer.Refresh();
        var tally = new VersionScan.VersionTally();
        Merkle.Reset(VersionScan.ScanDigests(context.WriteConnection, null, tally)); // one scan builds the tree and counts the rows
        context.Counted(tally.Live, tally.Tombstones);
    }
}
