namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// The local half of resynchronising a stale member — one that was away while a peer collected tombstones by age that
/// it never applied, so it may still hold rows the rest of the mesh deleted. Given the keys a peer holds now (live or
/// tombstone), every version here whose key the peer does not hold is dropped without a trace (the row leaves the
/// app's table uncaptured, the version leaves the table and the tree): the peer had it and collected its delete.
/// This member's own writes the peer never applied (after <c>peerAppliedOwn</c> in this member's feed) stay and
/// replicate — unless they are live rows at or below the peer's uncertain mark (<c>peerUncertain</c>, see
/// <see cref="ReplicaContext.UncertainUpTo"/>): the peer collected a delete that new that this member never applied,
/// which may have been of the same row, and refuses such rows (it skipped them if it read them). Those are dropped,
/// delivered or not, each kept in the conflict log (reason <see cref="ConflictReasons.Expired"/>): their holder is the
/// only member that can keep a record. A row dropped that the peer had simply not received yet comes back from its
/// holder, as a row never seen here.
/// </summary>
internal sealed class StaleResync(ReplicaContext context, VersionIndex versions, ConflictLog conflicts)
{
    private const int Batch = 1000;

    /// <summary>Drops what <paramref name="peerHolds"/> says the peer does not hold.</summary>
    public StaleDrop DropAbsent(Func<string, byte[], bool> peerHolds, long peerAppliedOwn, SiteId peer, long peerUncertain)
    {
        ArgumentNullException.ThrowIfNull(peerHolds);
        var (rows, tombstones) = (0L, 0L);
        var recorded = new List<(string Table, string Reason)>();
        var after = 0L;
        while (true)
        {
            var (scanned, last, droppedRows, droppedTombstones, conflictsRecorded) = context.InWriteTransaction((tx, effects) =>
            {
                var select = context.Raw("""
                    SELECT v.seq, v.kid, v.tbl, v.pk, v.hlc, s.site, v.deleted
                    FROM __repl_versions v CROSS JOIN __repl_sites s ON s.id = v.site WHERE v.seq > ?1 ORDER BY v.seq LIMIT ?2
                    """);
                var batch = new List<(long Seq, long Kid, long Table, byte[] Key, RowVersion Version)>();
                select.Bind(1, after);
                select.Bind(2, Batch);
                try
                {
                    while (select.Step())
                    {
                        batch.Add((select.Int64(0), select.Int64(1), select.Int64(2), select.Blob(3).ToArray(),
                            new RowVersion(select.Int64(4), SiteId.FromBytes(select.Blob(5)), select.Int64(6) != 0)));
                    }
                }
                finally
                {
                    select.Reset();
                }

                context.Raw("UPDATE __repl_state SET applying = 1 WHERE id = 0").Execute();
                var (r, t) = (0L, 0L);
                foreach (var (seq, kid, tableId, key, version) in batch)
                {
                    var own = version.Site == context.Site;
                    var expired = own && !version.Deleted && version.Hlc <= peerUncertain;
                    if (!context.Tables.ById.TryGetValue(tableId, out var table) || !context.Tables.ByName.ContainsKey(table.Name) || peerHolds(table.Name, key)
                        || (own && seq > peerAppliedOwn && !expired)
                        || !versions.MayRemove(kid))
                    {
                        continue;
                    }

                    if (!version.Deleted)
                    {
                        var keyValues = KeyCodec.Decode(key);
                        if (expired)
                        {
                            conflicts.Record(effects, table, key, ConflictReasons.Expired, version,
                                RowReader.Read(context.Raw(table.SelectRowSql), table, keyValues), new RowVersion(peerUncertain, peer, true));
                        }

                        var row = context.RowStatements(table).Delete;
                        row.BindValues(keyValues);
                        row.Execute();
                        r++;
                    }
                    else
                    {
                        t++;
                    }

                    versions.RemoveVersion(effects, table, seq, kid, key, version);
                }

                context.Raw("UPDATE __repl_state SET applying = 0 WHERE id = 0").Execute();
                return (batch.Count, batch.Count > 0 ? batch[^1].Seq : after, r, t, effects.ConflictsRecorded.ToArray());
            });
            rows += droppedRows;
            tombstones += droppedTombstones;
            recorded.AddRange(conflictsRecorded);
            after = last;
            if (scanned < Batch)
            {
                return new StaleDrop(rows, tombstones, recorded);
            }
        }
    }

}
