using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// The row-version table's index side (see BookkeepingSchema for the layout): where a row's version sits (bucket and
/// key id), looking it up, writing a new one with its Merkle delta and counts, and the local numbers of sites.
/// </summary>
internal sealed class VersionIndex(ReplicaContext context)
{
    /// <summary>The entries from a key id to the end of its bucket (a colliding key is placed after its key id).</summary>
    private const string LookupVersionSql =
        "SELECT seq, tbl, pk, hlc, site, deleted, kid, base_hlc, base_site FROM __repl_versions WHERE kid BETWEEN ?1 AND ?2 ORDER BY kid";

    public const string InsertVersionSql =
        "INSERT INTO __repl_versions(seq, kid, tbl, pk, hlc, site, deleted, base_hlc, base_site) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

    private const string InsertFirstVersionSql = InsertVersionSql + " ON CONFLICT (kid) DO NOTHING";

    private const string MoveVersionSql = "UPDATE __repl_versions SET seq = ?1, hlc = ?2, site = ?3, deleted = ?4, base_hlc = ?6, base_site = ?7 WHERE seq = ?5";

    // The per-change statements, held directly: Raw's lookup hashes the whole SQL text on every call.
    private RawStatement? lookupVersionStatement;
    private RawStatement? insertVersionStatement;
    private RawStatement? moveVersionStatement;
    private RawStatement? insertFirstVersionStatement;
    private RawStatement? removeVersionStatement;

    /// <summary>Bucket and key id of a row (narrowed by <see cref="ReplicaStoreOptions.ForcedKeyIdBits"/> in tests).</summary>
    public (long Bucket, long Kid) Locate(ReadOnlySpan<byte> tableName, ReadOnlySpan<byte> key)
    {
        var (bucket, kid) = RowDigest.Locate(tableName, key);
        if (context.Options.ForcedKeyIdBits is { } bits)
        {
            bucket &= 0xF;
            kid = RowDigest.KidRange(bucket, bucket).First + (kid & ((1L << bits) - 1));
        }

        return (bucket, kid);
    }

    /// <summary>
    /// The stored version of a row with its seq, or null; <paramref name="slot"/> is the key id the row's version has,
    /// or, when it has none, the key id a new one must take (its own unless a colliding key holds it). Usually one
    /// probe of the key-id index: the scan from <paramref name="kid"/> to the end of its bucket meets nothing else.
    /// </summary>
    public StoredVersion? LookupVersion(WriteEffects effects, long tableId, long kid, ReadOnlySpan<byte> key,
        out long slot)
    {
        var lookup = lookupVersionStatement ??= context.Raw(LookupVersionSql);
        lookup.Bind(1, kid);
        lookup.Bind(2, RowDigest.KidRange(RowDigest.BucketOf(kid), RowDigest.BucketOf(kid)).Last);
        HashSet<long>? taken = null;
        try
        {
            while (lookup.Step())
            {
                if (lookup.Int64(1) == tableId && lookup.Blob(2).SequenceEqual(key))
                {
                    slot = lookup.Int64(6);
                    var stored = new RowVersion(lookup.Int64(3), SiteOf(effects, lookup.Int64(4)), lookup.Int64(5) != 0);
                    RowVersion? basedOn = lookup.Value(7) is long baseHlc ? new RowVersion(baseHlc, SiteOf(effects, lookup.Int64(8)), false) : null;
                    return new StoredVersion(lookup.Int64(0), stored, basedOn);
                }

                (taken ??= []).Add(lookup.Int64(6));
            }
        }
        finally
        {
            lookup.Reset();
        }

        // Collisions: the scan saw every key id taken from kid to the end of the bucket; the first gap is free.
        slot = kid;
        while (taken is not null && taken.Contains(slot))
        {
            slot = RowDigest.NextInBucket(slot);
        }

        return null;
    }

    /// <summary>
    /// Stores <paramref name="next"/> as the row's first version under its own key id, if no version holds that key
    /// id (one statement: the unique index's probe decides and places it); false, with nothing written, if one does
    /// (the row's own earlier version, or a colliding key's: the caller looks it up).
    /// </summary>
    public bool TryInsertFirstVersion(WriteEffects effects, ReplicaTable table, long bucket, long kid, byte[] key, RowVersion next,
        RowVersion? basedOn)
    {
        var insert = insertFirstVersionStatement ??= context.Raw(InsertFirstVersionSql);
        BindVersion(insert, effects.LastSeq + 1, kid, table.Id, key, next, SiteNumber(effects, next.Site));
        BindBase(insert, 8, effects, basedOn);
        insert.Execute();
        if (insert.Changes() == 0)
        {
            return false;
        }

        effects.NextSeq();
        RecordVersion(effects, table, bucket, key, null, next);
        return true;
    }

    /// <summary>
    /// Stores <paramref name="next"/> under a new local seq (moving the entry to the end of the feed) and records the
    /// Merkle delta (old XOR new digest). <paramref name="kid"/> is the slot LookupVersion gave; <paramref name="basedOn"/>
    /// the version the write replaced at its writer (see BookkeepingSchema), null when none or unknown.
    /// </summary>
    public void WriteVersion(WriteEffects effects, ReplicaTable table, long bucket, long kid, byte[] key,
        StoredVersion? previous, RowVersion next, RowVersion? basedOn)
    {
        var seq = effects.NextSeq();
        var site = SiteNumber(effects, next.Site);
        if (previous is { } old)
        {
            var move = moveVersionStatement ??= context.Raw(MoveVersionSql);
            move.Bind(1, seq);
            move.Bind(2, next.Hlc);
            move.Bind(3, site);
            move.Bind(4, next.Deleted ? 1L : 0L);
            move.Bind(5, old.Seq);
            BindBase(move, 6, effects, basedOn);
            move.Execute();
        }
        else
        {
            var insert = insertVersionStatement ??= context.Raw(InsertVersionSql);
            BindVersion(insert, seq, kid, table.Id, key, next, site);
            BindBase(insert, 8, effects, basedOn);
            insert.Execute();
        }

        RecordVersion(effects, table, bucket, key, previous?.Version, next);
    }

    public static void BindVersion(RawStatement insert, long seq, long kid, long tableId, byte[] key, RowVersion version, long site)
    {
        insert.Bind(1, seq);
        insert.Bind(2, kid);
        insert.Bind(3, tableId);
        insert.Bind(4, key);
        insert.Bind(5, version.Hlc);
        insert.Bind(6, site);
        insert.Bind(7, version.Deleted ? 1L : 0L);
    }

    /// <summary>
    /// The base a writer records when it writes over <paramref name="previous"/>: the previous version itself when
    /// another site wrote it, or, over its own earlier write, that write's base (a chain of one site's writes keeps the
    /// newest foreign version it started from).
    /// </summary>
    public static RowVersion? BaseOver(StoredVersion? previous, SiteId writer) =>
        previous is not { } p ? null
        : p.Version.Site == writer ? p.Base
        : p.Version with { Deleted = false };

    /// <summary>Whether some version holds key id <paramref name="kid"/>.</summary>
    public bool KeyIdTaken(long kid)
    {
        var probe = context.Raw("SELECT EXISTS (SELECT 1 FROM __repl_versions WHERE kid = ?1)");
        probe.Bind(1, kid);
        return probe.ScalarInt64() == 1;
    }

    /// <summary>
    /// Whether the version at <paramref name="kid"/> may be removed. A key whose own key id was taken (a hash collision)
    /// is stored at the next free key id of its bucket, and a first version is inserted at a key's own key id when that
    /// is free: freeing a key id right below such a key would let its next version be inserted a second time. So a
    /// version whose next key id (in its bucket) is taken stays — never in practice: it needs a collision.
    /// </summary>
    public bool MayRemove(long kid) => RowDigest.BucketOf(kid + 1) != RowDigest.BucketOf(kid) || !KeyIdTaken(kid + 1);

    /// <summary>
    /// Removes a row's version (seq <paramref name="seq"/>, key id <paramref name="kid"/>) as if the key had never been
    /// written: out of the table, out of the Merkle tree (adding a digest again takes it out), out of the counts. The
    /// caller checked <see cref="MayRemove"/>.
    /// </summary>
    public void RemoveVersion(WriteEffects effects, ReplicaTable table, long seq, long kid, byte[] key, RowVersion version)
    {
        var delete = removeVersionStatement ??= context.Raw("DELETE FROM __repl_versions WHERE seq = ?1");
        delete.Bind(1, seq);
        delete.Execute();
        var (d0, d1) = RowDigest.Delta(table.NameBytes, key, null, version);
        effects.MerkleDeltas.Add((RowDigest.BucketOf(kid), d0, d1));
        if (version.Deleted)
        {
            effects.TombstonesDelta--;
        }
        else
        {
            effects.LiveRowsDelta--;
        }
    }

    private void BindBase(RawStatement statement, int first, WriteEffects effects, RowVersion? basedOn)
    {
        if (basedOn is { } b)
        {
            statement.Bind(first, b.Hlc);
            statement.Bind(first + 1, SiteNumber(effects, b.Site));
        }
        else
        {
            statement.BindValue(first, null);
            statement.BindValue(first + 1, null);
        }
    }

    /// <summary>In-memory effects of a version write: live/tombstone counts and the Merkle delta (old XOR new digest).</summary>
    private static void RecordVersion(WriteEffects effects, ReplicaTable table, long bucket, byte[] key, RowVersion? previous, RowVersion next)
    {
        if (previous is null)
        {
            if (next.Deleted)
            {
                effects.TombstonesDelta++;
            }
            else
            {
                effects.LiveRowsDelta++;
            }
        }
        else if (previous.Value.Deleted != next.Deleted)
        {
            var towardsTombstone = next.Deleted ? 1 : -1;
            effects.TombstonesDelta += towardsTombstone;
            effects.LiveRowsDelta -= towardsTombstone;
        }

        var (d0, d1) = RowDigest.Delta(table.NameBytes, key, previous, next);
        effects.MerkleDeltas.Add((bucket, d0, d1));
    }

    /// <summary>The local number of a site, numbering it (in this transaction) when it is new.</summary>
    public long SiteNumber(WriteEffects effects, SiteId site)
    {
        if (context.SiteNumbers.TryGetValue(site, out var number) || effects.NewSites.TryGetValue(site, out number))
        {
            return number;
        }

        var insert = context.Raw("INSERT INTO __repl_sites(site) VALUES (?1)");
        Span<byte> bytes = stackalloc byte[SiteId.Size];
        site.WriteTo(bytes);
        insert.Bind(1, bytes);
        insert.Execute();
        number = insert.LastInsertRowId();
        effects.NewSites[site] = number;
        return number;
    }

    private SiteId SiteOf(WriteEffects effects, long number)
    {
        if (context.SitesByNumber.TryGetValue(number, out var site))
        {
            return site;
        }

        foreach (var (pending, n) in effects.NewSites)
        {
            if (n == number)
            {
                return pending;
            }
        }

        throw new InvalidOperationException($"__repl_versions references site number {number}, which __repl_sites does not hold");
    }

    /// <summary>Loads the site numbers (at open, inside the first write transaction).</summary>
    public void LoadSites(SqliteTransaction tx)
    {
        context.SiteNumbers.Clear();
        context.SitesByNumber.Clear();
        using var command = context.WriteConnection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "SELECT id, site FROM __repl_sites";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var site = SiteId.FromBytes((byte[])reader.GetValue(1));
            context.SiteNumbers[site] = reader.GetInt64(0);
            context.SitesByNumber[reader.GetInt64(0)] = site;
        }
    }
}

/// <summary>A row's stored version: its seq, the version, and the base it was written over (see BookkeepingSchema).</summary>
internal readonly record struct StoredVersion(long Seq, RowVersion Version, RowVersion? Base);
