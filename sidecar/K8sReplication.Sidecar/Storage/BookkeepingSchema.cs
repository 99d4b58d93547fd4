namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// DDL of the __repl_ tables. Everything is IF NOT EXISTS so installing is idempotent.
/// <list type="bullet">
/// <item>__repl_site: the 16-byte site id, created once.</item>
/// <item>__repl_state: the "applying" flag capture triggers check (set only inside the sidecar's own write transaction,
///   so other connections never see it set) and the clock floor local HLCs must exceed.</item>
/// <item>__repl_log: the capture log, appended by triggers only; seq is the rowid. Key columns k1..kN have no type
///   affinity so the key values are stored exactly as the trigger saw them. deleted: 0 the row was written, 1 it was
///   deleted, 2 a replace guard saw it conflict with a new row (the fold checks whether it is gone).</item>
/// <item>__repl_tables: registry of replicated tables (local integer id, schema hash).</item>
/// <item>__repl_sites: every site that wrote a version, numbered locally so a version stores a small integer instead of
///   16 bytes.</item>
/// <item>__repl_versions: one entry per replicated row, its rowid the local seq (so the change feed is a rowid range
///   scan and a new version is an append), with the 64-bit key hash of (table name, key) as key id in a small
///   integer index: a version lookup is one index probe (the full key kept in pk resolves hash collisions), and since
///   the key id's top bits are the Merkle bucket, a leaf read is a range scan of that index. A row changing gets a
///   new seq (its rowid moves to the end). Measured against the earlier layout (WITHOUT ROWID on (bucket, table, key
///   id, key) plus a seq index, site as a blob): bench/ storage, apply and fold rates.
///   base_hlc/base_site: the version this one was written over at its writer, skipping the writer's own earlier
///   writes (the newest write of another site it replaced; null for a new row, or when the sender did not say). A
///   member whose version is the base of an incoming one knows the incoming write saw it: not a conflict.</item>
/// <item>__repl_versions_tombstones: the tombstones by HLC (a partial index: only deletes pay for it), which tombstone
///   collection reads oldest first.</item>
/// <item>__repl_cursors: peers' opaque cursors, written in the same transaction as the changes they cover.</item>
/// <item>__repl_conflicts: the conflict log, every write this member discarded with its row image (ConflictLog).</item>
/// </list>
/// </summary>
internal static class BookkeepingSchema
{
    /// <summary>Key columns the capture log starts with; widened with ALTER TABLE when a longer key appears.</summary>
    public const int InitialLogKeyColumns = 4;

    public const string Ddl = """
        CREATE TABLE IF NOT EXISTS __repl_site(id INTEGER PRIMARY KEY CHECK (id = 0), site BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS __repl_state(id INTEGER PRIMARY KEY CHECK (id = 0),
            applying INTEGER NOT NULL DEFAULT 0, clock_floor INTEGER NOT NULL DEFAULT 0);
        INSERT OR IGNORE INTO __repl_state(id, applying, clock_floor) VALUES (0, 0, 0);
        CREATE TABLE IF NOT EXISTS __repl_log(seq INTEGER PRIMARY KEY, tbl INTEGER NOT NULL, hlc INTEGER NOT NULL,
            deleted INTEGER NOT NULL, k1, k2, k3, k4);
        CREATE TABLE IF NOT EXISTS __repl_tables(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
            schema_hash TEXT NOT NULL, key_columns INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS __repl_sites(id INTEGER PRIMARY KEY, site BLOB NOT NULL UNIQUE);
        CREATE TABLE IF NOT EXISTS __repl_versions(seq INTEGER PRIMARY KEY, kid INTEGER NOT NULL, tbl INTEGER NOT NULL,
            pk BLOB NOT NULL, hlc INTEGER NOT NULL, site INTEGER NOT NULL, deleted INTEGER NOT NULL,
            base_hlc INTEGER, base_site INTEGER);
        CREATE UNIQUE INDEX IF NOT EXISTS __repl_versions_kid ON __repl_versions(kid);
        CREATE INDEX IF NOT EXISTS __repl_versions_tombstones ON __repl_versions(hlc) WHERE deleted = 1;
        CREATE TABLE IF NOT EXISTS __repl_cursors(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS __repl_conflicts(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, tbl TEXT NOT NULL,
            pk BLOB NOT NULL, reason TEXT NOT NULL, loser_hlc INTEGER NOT NULL, loser_site BLOB NOT NULL,
            loser_deleted INTEGER NOT NULL, loser_values BLOB, winner_hlc INTEGER NOT NULL, winner_site BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS __repl_conflicts_at ON __repl_conflicts(at);
        """;

    public const string Prefix = "__repl_";
}
