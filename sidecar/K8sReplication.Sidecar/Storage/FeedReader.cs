using System.Globalization;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// The read side: feed pages and rows by key, each read in one snapshot on a read-only connection, beside the writer.
/// </summary>
internal sealed class FeedReader(ReplicaContext context, VersionIndex versions)
{
    private const int MaxIdleSessions = 8;

    private readonly System.Collections.Concurrent.ConcurrentBag<FeedSession> sessions = [];

    /// <summary>
    /// The change feed: entries with seq &gt; <paramref name="afterSeq"/> in seq order, joined with the rows' CURRENT
    /// values, all read in one snapshot (a read transaction on a read-only connection). Folded changes come from the
    /// row-version table, then app writes not folded yet straight from the capture log (they hold the seqs above every
    /// version: see <see cref="CaptureFold.RaiseClockFloor"/>), so a peer gets a write as soon as the app commits it, without
    /// waiting for the fold and without this member taking the write lock. Entries whose row is gone although the
    /// change is not a delete (an app delete not served yet) are left out: the delete follows with a higher seq. A
    /// replace guard's check entry ends the page before it: only the fold can tell whether it removed a row, so
    /// readers wait for it there. When the page is not full the whole snapshot was scanned, so LastSeq is MaxSeq (this
    /// matters with an origin filter, where skipped entries must not be rescanned).
    /// </summary>
    /// <remarks>
    /// Rows are read until their payload reaches <paramref name="maxBytes"/> (at least one change), so a reader asking
    /// for many large rows never makes this member load more than that; the page then ends at the last change read.
    /// </remarks>
    public ChangeBatch ReadChanges(long afterSeq, int limit, SiteId? origin = null, long maxBytes = long.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var snapshot = context.Tables;
        var session = TakeFeedSession();
        var reusable = false;
        var versions = new List<(long Table, byte[] Key, RowVersion Version, long Seq, RowVersion? Base)>();
        var changes = new List<Change>();
        var payload = 0L;
        long maxSeq;
        long? endAt = null;
        var entered = false;
        try
        {
            context.Readers.Enter();
            entered = true;
            session.Begin.Execute();
            try
            {
                maxSeq = session.MaxSeq.ScalarInt64();
                var feed = origin is null ? session.All : session.FromOrigin;
                feed.Bind(1, afterSeq);
                feed.Bind(2, limit);
                if (origin is { } site)
                {
                    Span<byte> bytes = stackalloc byte[SiteId.Size];
                    site.WriteTo(bytes);
                    feed.Bind(3, bytes);
                }

                try
                {
                    while (feed.Step())
                    {
                        RowVersion? basedOn = feed.Value(6) is long baseHlc ? new RowVersion(baseHlc, SiteId.FromBytes(feed.Blob(7)), false) : null;
                        versions.Add((feed.Int64(0), feed.Blob(1).ToArray(),
                            new RowVersion(feed.Int64(2), SiteId.FromBytes(feed.Blob(3)), feed.Int64(4) != 0), feed.Int64(5), basedOn));
                    }
                }
                finally
                {
                    feed.Reset();
                }

                foreach (var (tableId, key, version, seq, basedOn) in versions)
                {
                    if (payload >= maxBytes && changes.Count > 0)
                    {
                        endAt = changes[^1].Seq;
                        break;
                    }

                    if (!snapshot.ById.TryGetValue(tableId, out var table))
                    {
                        continue;
                    }

                    if (version.Deleted)
                    {
                        changes.Add(new Change(table.Name, key, version, null, seq) { Base = basedOn });
                    }
                    else if (session.Rows.Read(table, key) is { } values)
                    {
                        changes.Add(new Change(table.Name, key, version, values, seq) { Base = basedOn });
                        payload += RowSize.Values(values);
                    }

                    payload += key.Length;
                }

                if (endAt is null && versions.Count < limit && (origin is null || origin == context.Site))
                {
                    var afterVersions = versions.Count > 0 ? versions[^1].Seq : afterSeq;
                    endAt = ReadCaptures(session, snapshot, afterVersions, limit - versions.Count, maxBytes, changes, ref payload);
                }
                else if (endAt is null && versions.Count >= limit)
                {
                    endAt = versions[^1].Seq;
                }
            }
            finally
            {
                session.End.Execute();
            }

            reusable = true;
        }
        finally
        {
            if (entered)
            {
                context.Readers.Exit();
            }

            ReturnFeedSession(session, reusable);
        }

        var lastSeq = endAt ?? Math.Max(afterSeq, maxSeq);
        return new ChangeBatch(changes, lastSeq, maxSeq);
    }

    /// <summary>
    /// Adds up to <paramref name="limit"/> capture-log entries after <paramref name="afterSeq"/> (this member's own
    /// writes, not folded yet) to <paramref name="changes"/>. Returns where the page ends when it must end early (at a
    /// check entry, at the byte budget, or with <paramref name="limit"/> entries read), or null when the log was read
    /// to its end.
    /// </summary>
    private long? ReadCaptures(FeedSession session, TableSet snapshot, long afterSeq, int limit, long maxBytes,
        List<Change> changes, ref long payload)
    {
        var log = session.Log;
        log.Bind(1, afterSeq);
        log.Bind(2, limit);
        var read = 0;
        var last = afterSeq;
        try
        {
            while (log.Step())
            {
                read++;
                var seq = log.Int64(0);
                var kind = log.Int64(3);
                if (kind == CaptureTriggers.CheckEntry)
                {
                    context.RequestFold();
                    return seq - 1; // the fold decides what this entry means; the page ends before it
                }

                if (payload >= maxBytes && changes.Count > 0)
                {
                    return changes[^1].Seq;
                }

                last = seq;
                if (!snapshot.ById.TryGetValue(log.Int64(1), out var table) || table.PrimaryKeyColumns.Count == 0)
                {
                    continue; // a clock entry, or a table the registry does not know (it has no triggers)
                }

                var keyValues = new object?[table.PrimaryKeyColumns.Count];
                for (var i = 0; i < keyValues.Length; i++)
                {
                    keyValues[i] = log.Value(4 + i);
                }

                var key = KeyCodec.Encode(keyValues);
                var hlc = log.Int64(2);
                if (kind != 0)
                {
                    changes.Add(new Change(table.Name, key, new RowVersion(hlc, context.Site, true), null, seq) { Base = BaseOfCapture(session, table, key) });
                }
                else if (session.Rows.Read(table, keyValues) is { } values)
                {
                    changes.Add(new Change(table.Name, key, new RowVersion(hlc, context.Site, false), values, seq) { Base = BaseOfCapture(session, table, key) });
                    payload += RowSize.Values(values);
                }

                payload += key.Length;
            }
        }
        finally
        {
            log.Reset();
        }

        return read >= limit ? last : null;
    }

    /// <summary>
    /// The base of a capture not folded yet, as the fold will record it (<see cref="VersionIndex.BaseOver"/>): the row's
    /// stored version when another site wrote it, that version's base when this member did, none for a new row. Every
    /// capture pending before it in the log is this member's own write, so the stored version decides.
    /// </summary>
    private RowVersion? BaseOfCapture(FeedSession session, ReplicaTable table, byte[] key)
    {
        var lookup = session.VersionOf;
        var bucket = versions.Locate(table.NameBytes, key).Bucket;
        var (first, last) = RowDigest.KidRange(bucket, bucket);
        lookup.Bind(1, first);
        lookup.Bind(2, last);
        lookup.Bind(3, table.Id);
        lookup.Bind(4, key);
        try
        {
            if (!lookup.Step())
            {
                return null;
            }

            RowVersion? storedBase = lookup.Value(2) is long baseHlc ? new RowVersion(baseHlc, SiteId.FromBytes(lookup.Blob(3)), false) : null;
            return VersionIndex.BaseOver(new StoredVersion(0, new RowVersion(lookup.Int64(1), SiteId.FromBytes(lookup.Blob(0)), false), storedBase), context.Site);
        }
        finally
        {
            lookup.Reset();
        }
    }

    /// <summary>
    /// Current version and values of the given rows (tombstones included, unknown keys left out), in one snapshot:
    /// what a peer pulls during anti-entropy repair.
    /// </summary>
    public IReadOnlyList<Change> ReadRows(string table, IReadOnlyList<byte[]> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (table is null || !context.Tables.ByName.TryGetValue(table, out var replicaTable))
        {
            throw new ChangeRejectedException("table", $"unknown or unreplicated table '{table}'");
        }

        using var connection = context.OpenRead();
        using var tx = connection.BeginTransaction(deferred: true);
        using var rows = new RowReader(connection);
        using var lookup = connection.CreateCommand();
        lookup.Transaction = tx;
        lookup.CommandText = """
            SELECT v.hlc, s.site, v.deleted, v.seq FROM __repl_versions v CROSS JOIN __repl_sites s ON s.id = v.site
            WHERE v.kid BETWEEN @first AND @last AND v.tbl = @t AND v.pk = @p
            """; // the key's bucket: a colliding key's version sits at another key id of it
        var firstParameter = lookup.Parameters.Add("@first", SqliteType.Integer);
        var lastParameter = lookup.Parameters.Add("@last", SqliteType.Integer);
        lookup.Parameters.AddWithValue("@t", replicaTable.Id);
        var keyParameter = lookup.Parameters.Add("@p", SqliteType.Blob);
        var result = new List<Change>(keys.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            try
            {
                var decoded = KeyCodec.Decode(key ?? throw new FormatException("key is missing"));
                if (decoded.Count != replicaTable.PrimaryKeyColumns.Count)
                {
                    throw new FormatException($"table '{table}' has {replicaTable.PrimaryKeyColumns.Count} primary-key columns, the key has {decoded.Count} values");
                }
            }
            catch (FormatException ex)
            {
                throw new ChangeRejectedException(string.Create(CultureInfo.InvariantCulture, $"keys[{i}]"), ex.Message, ex);
            }

            var bucket = versions.Locate(replicaTable.NameBytes, key).Bucket;
            (firstParameter.Value, lastParameter.Value) = RowDigest.KidRange(bucket, bucket);
            keyParameter.Value = key;
            RowVersion version;
            long seq;
            using (var reader = lookup.ExecuteReader())
            {
                if (!reader.Read())
                {
                    continue;
                }

                version = new RowVersion(reader.GetInt64(0), SiteId.FromBytes((byte[])reader.GetValue(1)), reader.GetInt64(2) != 0);
                seq = reader.GetInt64(3);
            }

            if (version.Deleted)
            {
                result.Add(new Change(table, key, version, null, seq));
            }
            else if (rows.Read(replicaTable, key) is { } values)
            {
                result.Add(new Change(table, key, version, values, seq));
            }
        }

        return result;
    }

    /// <summary>
    /// This member's own changes with a seq above <paramref name="afterSeq"/>: its versions there plus the captures not
    /// folded yet (every capture is a local write). A range scan of the tail above the seq, in one snapshot.
    /// </summary>
    public long CountLocalAfter(long afterSeq)
    {
        var session = TakeFeedSession();
        var reusable = false;
        try
        {
            using var command = session.Connection.CreateCommand();
            command.CommandText = """
                SELECT (SELECT count(*) FROM __repl_versions
                        WHERE seq > $after AND site = (SELECT id FROM __repl_sites WHERE site = $site))
                     + (SELECT count(*) FROM __repl_log WHERE seq > $after AND tbl <> 0)
                """;
            command.Parameters.AddWithValue("$after", afterSeq);
            var site = new byte[SiteId.Size];
            context.Site.WriteTo(site);
            command.Parameters.AddWithValue("$site", site);
            var count = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            reusable = true;
            return count;
        }
        finally
        {
            ReturnFeedSession(session, reusable);
        }
    }

    private FeedSession TakeFeedSession()
    {
        context.ThrowIfDisposed();
        return sessions.TryTake(out var session) ? session : new FeedSession(context.ReadConnectionString);
    }

    /// <summary>Keeps a session for the next read unless it failed midway or enough are idle already.</summary>
    private void ReturnFeedSession(FeedSession session, bool reusable)
    {
        if (reusable && !context.Disposed && sessions.Count < MaxIdleSessions)
        {
            sessions.Add(session);
            if (context.Disposed)
            {
                // Dispose ran meanwhile and may have drained the bag before this Add.
                while (sessions.TryTake(out var idle))
                {
                    idle.Dispose();
                }
            }

            return;
        }

        session.Dispose();
    }

    /// <summary>Disposes the idle sessions (at close, under the write gate, after the store is marked disposed).</summary>
    public void Close()
    {
        while (sessions.TryTake(out var session))
        {
            session.Dispose();
        }
    }
}
