using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// A read-only connection with the change feed's statements prepared once, reused by one feed read at a time. Every
/// long-poll answer reads the feed; preparing its SQL afresh each time (a new ADO.NET command per call) was a tenth of
/// an idle-to-moderately-busy sidecar's CPU (perf: sqlite3RunParser and the query planner).
/// </summary>
internal sealed class FeedSession : IDisposable
{
    private const string Columns = "SELECT v.tbl, v.pk, v.hlc, s.site, v.deleted, v.seq, v.base_hlc, b.site " +
        "FROM __repl_versions v CROSS JOIN __repl_sites s ON s.id = v.site LEFT JOIN __repl_sites b ON b.id = v.base_site ";

    public FeedSession(string connectionString)
    {
        Connection = new SqliteConnection(connectionString);
        try
        {
            Connection.Open();
            Begin = new RawStatement(Connection, "BEGIN");
            End = new RawStatement(Connection, "COMMIT");
            MaxSeq = new RawStatement(Connection,
                "SELECT max(coalesce((SELECT max(seq) FROM __repl_versions), 0), coalesce((SELECT max(seq) FROM __repl_log), 0))");

            // Captures not folded yet: every column, so key columns the log gains later are read too.
            Log = new RawStatement(Connection, "SELECT * FROM __repl_log WHERE seq > ?1 ORDER BY seq LIMIT ?2");

            // CROSS JOIN keeps the version table the outer loop: a rowid range scan in seq order.
            All = new RawStatement(Connection, Columns + "WHERE v.seq > ?1 ORDER BY v.seq LIMIT ?2");
            FromOrigin = new RawStatement(Connection,
                Columns + "WHERE v.seq > ?1 AND v.site = (SELECT id FROM __repl_sites WHERE site = ?3) ORDER BY v.seq LIMIT ?2");
            VersionOf = new RawStatement(Connection, """
                SELECT s.site, v.hlc, v.base_hlc, b.site
                FROM __repl_versions v CROSS JOIN __repl_sites s ON s.id = v.site LEFT JOIN __repl_sites b ON b.id = v.base_site
                WHERE v.kid BETWEEN ?1 AND ?2 AND v.tbl = ?3 AND v.pk = ?4
                """);
            Rows = new RowReader(Connection);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public SqliteConnection Connection { get; }

    public RawStatement Begin { get; } = null!;

    public RawStatement End { get; } = null!;

    public RawStatement MaxSeq { get; } = null!;

    public RawStatement All { get; } = null!;

    public RawStatement FromOrigin { get; } = null!;

    /// <summary>Capture-log entries after a seq (columns seq, tbl, hlc, deleted, k1..kN).</summary>
    public RawStatement Log { get; } = null!;

    /// <summary>
    /// A row's version by key (bucket key-id range, table id, key): site, hlc, base hlc, base site. What a capture not
    /// folded yet is written over.
    /// </summary>
    public RawStatement VersionOf { get; } = null!;

    public RowReader Rows { get; } = null!;

    public void Dispose()
    {
        Rows?.Dispose();
        VersionOf?.Dispose();
        Log?.Dispose();
        FromOrigin?.Dispose();
        All?.Dispose();
        MaxSeq?.Dispose();
        End?.Dispose();
        Begin?.Dispose();
        Connection.Dispose();
    }
}
