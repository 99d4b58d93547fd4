using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// Full scans of the row-version table for the Merkle tree: the buckets a leaf covers, and every version's digest (at
/// open, to build the tree, and to verify the maintained tree against the database).
/// </summary>
internal sealed class VersionScan(ReplicaContext context) : IMerkleSource
{
    private const string ScanSql = """
        SELECT v.kid, t.name, v.pk, v.hlc, s.site, v.deleted FROM __repl_versions v
        JOIN __repl_tables t ON t.id = v.tbl JOIN __repl_sites s ON s.id = v.site
        """;

    public IReadOnlyList<LeafEntry> ReadBuckets(long firstBucket, long lastBucket)
    {
        using var connection = context.OpenRead();
        using var command = connection.CreateCommand();
        var (first, last) = RowDigest.KidRange(firstBucket, lastBucket);
        command.CommandText = ScanSql + " WHERE v.kid BETWEEN @first AND @last ORDER BY v.kid, t.name, v.pk";
        command.Parameters.AddWithValue("@first", first);
        command.Parameters.AddWithValue("@last", last);
        using var reader = command.ExecuteReader();
        var entries = new List<LeafEntry>();
        while (reader.Read())
        {
            entries.Add(new LeafEntry(reader.GetString(1), (byte[])reader.GetValue(2),
                new RowVersion(reader.GetInt64(3), SiteId.FromBytes((byte[])reader.GetValue(4)), reader.GetInt64(5) != 0)));
        }

        return entries;
    }

    public bool VerifyAgainst(MerkleTree tree)
    {
        // Under the write lock nothing commits to the version table, so the scan and the maintained tree agree
        // unless incremental maintenance is wrong.
        lock (context.WriteGate)
        {
            context.ThrowIfDisposed();
            return tree.Matches(ScanDigests(context.WriteConnection, null));
        }
    }

    /// <summary>Live rows and tombstones counted in the database (a full scan, to check the maintained counters).</summary>
    public (long Rows, long Tombstones) CountVersions()
    {
        using var connection = context.OpenRead();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), coalesce(sum(deleted), 0) FROM __repl_versions";
        using var reader = command.ExecuteReader();
        reader.Read();
        var total = reader.GetInt64(0);
        var dead = reader.GetInt64(1);
        return (total - dead, dead);
    }

    /// <summary>
    /// (bucket, version digest) of every row version, streamed from the database; <paramref name="tally"/>, when given,
    /// counts the live rows and tombstones seen.
    /// </summary>
    public static IEnumerable<(long Bucket, byte[] Digest)> ScanDigests(SqliteConnection connection, SqliteTransaction? tx,
        VersionTally? tally = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = ScanSql;
        using var reader = command.ExecuteReader();
        var names = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (reader.Read())
        {
            var name = reader.GetString(1);
            if (!names.TryGetValue(name, out var nameBytes))
            {
                names[name] = nameBytes = System.Text.Encoding.UTF8.GetBytes(name);
            }

            var digest = new byte[MerkleTree.DigestSize];
            var deleted = reader.GetInt64(5) != 0;
            RowDigest.Version(nameBytes, (byte[])reader.GetValue(2),
                new RowVersion(reader.GetInt64(3), SiteId.FromBytes((byte[])reader.GetValue(4)), deleted), digest);
            if (tally is not null)
            {
                if (deleted)
                {
                    tally.Tombstones++;
                }
                else
                {
                    tally.Live++;
                }
            }

            yield return (RowDigest.BucketOf(reader.GetInt64(0)), digest);
        }
    }

    /// <summary>Live rows and tombstones counted during a scan.</summary>
    public sealed class VersionTally
    {
        public long Live { get; set; }

        public long Tombstones { get; set; }
    }
}
