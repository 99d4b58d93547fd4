using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using K8sReplication.Sidecar.Storage;
using K8sReplication.TestKit.Sqlite;
using Xunit.Abstractions;

namespace K8sReplication.Sidecar.Tests.Storage;

/// <summary>
/// Random writes and deletes on 3 replicas, random exchange of their own feeds (as in a full mesh), and tombstone
/// collection rounds at a horizon every replica has applied (the mesh horizon: every acknowledged write at or below it
/// is held, superseded or collected everywhere; it certifies, as a sidecar's does), then anti-entropy repair: every
/// replica ends identical (rows and Merkle root), each key at its greatest acknowledged version or, when that is a
/// delete, absent — no collected delete lets a row come back, not even a resynchronised replica's own write older than
/// a delete it missed — and every acknowledged write that was discarded without a later write made over it is in some
/// replica's conflict log. Some rounds collect by age instead (uncertified): what every replica but an away one has
/// applied, as <c>tombstoneTtl</c> does for a member away that long (one that has read the collecting replica's feed
/// before: a member that never did is taken for a new one). That age horizon lies in every replica's past, as now minus
/// a TTL longer than any clock skew does, and from then on every replica's collection round (the away one's too) takes
/// the greater of it and the mesh horizon, as a sidecar's does; a replica that then reads that one's feed from below a
/// collected tombstone resynchronises from it, as a sidecar does on the 410 answer, while the others may read the away
/// one's feed first. Seeded: K8SREPL_PROPERTY_SEED replays; K8SREPL_PROPERTY_RUNS sets how many schedules (150).
/// </summary>
public sealed class CollectionPropertyTests(ITestOutputHelper output)
{
    private const string Schema = "CREATE TABLE kv(k TEXT PRIMARY KEY, v);";

    internal enum Kind
    {
        Write,
        Sync,
        Collect,
        Expire,
    }

    internal sealed record Op(Kind Kind, int Replica, int Other, int Key, bool Delete, int Value)
    {
        public override string ToString() => Kind switch
        {
            Kind.Write => $"r{Replica}.{(Delete ? "delete" : "upsert")}(k{Key}, {Value})",
            Kind.Sync => $"sync r{Replica}->r{Other}",
            Kind.Collect => $"collect r{Replica}",
            _ => $"expire (r{Other} away)",
        };
    }

    private sealed record Written(RowVersion Version, RowVersion? Base, string? Values);

    [Fact]
    public void Replicas_Converge_WithoutResurrection_AndEveryDiscardedWriteIsLogged()
    {
        var seed = Environment.GetEnvironmentVariable("K8SREPL_PROPERTY_SEED") is { Length: > 0 } configured
            ? ulong.Parse(configured, CultureInfo.InvariantCulture)
            : (ulong)Random.Shared.NextInt64();
        output.WriteLine($"K8SREPL_PROPERTY_SEED={seed}");
        var op = Gen.Frequency(
            (4, from r in Gen.Choose(0, 2) from k in Gen.Choose(0, 3) from d in Gen.Frequency((2, Gen.Constant(false)), (1, Gen.Constant(true)))
                from v in Gen.Choose(0, 1000) select new Op(Kind.Write, r, 0, k, d, v)),
            (3, from r in Gen.Choose(0, 2) from o in Gen.Choose(0, 2) select new Op(Kind.Sync, r, o, 0, false, 0)),
            (1, from r in Gen.Choose(0, 2) select new Op(Kind.Collect, r, 0, 0, false, 0)),
            (1, from r in Gen.Choose(0, 2) from away in Gen.Choose(1, 2) select new Op(Kind.Expire, r, (r + away) % 3, 0, false, 0)));
        var property = Prop.ForAll(Arb.From(Gen.ListOf(op, 40)), ops => Run([.. ops]));
        var runs = Environment.GetEnvironmentVariable("K8SREPL_PROPERTY_RUNS") is { Length: > 0 } count ? int.Parse(count, CultureInfo.InvariantCulture) : 150;
        var config = Config.QuickThrowOnFailure.WithMaxTest(runs).WithQuietOnSuccess(true).WithReplay(new Replay(new Rnd(seed), null));
        try
        {
            Check.One(config, property);
        }
        catch (Exception ex)
        {
            throw new Xunit.Sdk.XunitException($"collection property failed; replay with K8SREPL_PROPERTY_SEED={seed}\n{ex.Message}");
        }
    }

    /// <summary>
    /// Runs one schedule and checks the outcome. <paramref name="create"/> makes the replicas (a controlled clock, say),
    /// <paramref name="beforeOp"/> is called before every step, and <paramref name="trace"/> is told every step with
    /// every replica's state after it. <paramref name="nowMs"/> reads the clock the replicas' writes take their time from
    /// (the wall clock unless <paramref name="create"/> gives them another).
    /// </summary>
    internal static void Run(Op[] ops, Func<string, TestReplica>? create = null, Action<Op>? beforeOp = null, Action<string>? trace = null,
        Func<long>? nowMs = null)
    {
        nowMs ??= () => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var replicas = Enumerable.Range(0, 3).Select(_ => create is null ? new TestReplica(Schema) : create(Schema)).ToArray();
        try
        {
            var history = new Dictionary<string, List<Written>>(StringComparer.Ordinal);
            var byAge = 0L; // now - tombstoneTtl: the same for every replica, and only rising
            foreach (var op in ops)
            {
                beforeOp?.Invoke(op);
                switch (op.Kind)
                {
                    case Kind.Write:
                        Write(replicas[op.Replica], op, history);
                        break;
                    case Kind.Sync when op.Replica != op.Other:
                        Pull(replicas[op.Replica], replicas[op.Other], replicas, trace);
                        break;
                    case Kind.Collect:
                        Collect(replicas[op.Replica], MeshHorizon(replicas, history), byAge);
                        break;
                    case Kind.Expire when replicas.Where((_, i) => i != op.Other).All(r => Cursor(replicas[op.Other], r) > 0):
                        // tombstoneTtl passed while the away replica (which has read every feed before) was gone: every
                        // other replica collects what all but the away one have applied, whether it has it or not. That
                        // age lies in every replica's past (the TTL is longer than any clock skew): below the current
                        // millisecond, or below what every replica's clock has reached, so no replica writes at or below
                        // it from now on. The away one collects by age too at its next round.
                        var past = Math.Max(HybridClock.FromMilliseconds(nowMs()) - 1, replicas.Min(r => r.Store.Hlc));
                        byAge = Math.Max(byAge, Math.Min(MeshHorizon([.. replicas.Where((_, i) => i != op.Other)], history), past));
                        foreach (var r in replicas.Where((_, i) => i != op.Other))
                        {
                            r.Store.CollectTombstones(byAge);
                        }

                        break;
                }

                trace?.Invoke($"after {op}:\n{DumpAll(replicas)}");
            }

            // Every feed delivered, then repair; then collection everywhere, and repair again.
            for (var round = 0; round < 2; round++)
            {
                foreach (var to in replicas)
                {
                    foreach (var from in replicas.Where(f => !ReferenceEquals(f, to)))
                    {
                        Pull(from, to, replicas, trace);
                        trace?.Invoke($"final {round}: r{Array.IndexOf(replicas, to)} pulled r{Array.IndexOf(replicas, from)}:\n{DumpAll(replicas)}");
                    }
                }

                RepairAll(replicas);
                trace?.Invoke($"final {round}: repaired:\n{DumpAll(replicas)}");
                var horizon = MeshHorizon(replicas, history);
                foreach (var r in replicas)
                {
                    Collect(r, horizon, byAge);
                }

                trace?.Invoke($"final {round}: collected at {horizon}:\n{DumpAll(replicas)}");
                RepairAll(replicas);
            }

            Verify(replicas, history);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{e.Message}\nsteps: {string.Join("; ", ops.Select(o => o.ToString()))}", e);
        }
        finally
        {
            foreach (var r in replicas)
            {
                r.Dispose();
            }
        }
    }

    /// <summary>A collection round as a sidecar runs it: the greater of the mesh horizon (which certifies) and the age horizon.</summary>
    private static void Collect(TestReplica r, long mesh, long byAge) => r.Store.CollectTombstones(Math.Max(mesh, byAge), certified: mesh);

    private static void Write(TestReplica r, Op op, Dictionary<string, List<Written>> history)
    {
        var key = "k" + op.Key.ToString(CultureInfo.InvariantCulture);
        if (op.Delete)
        {
            r.Exec("DELETE FROM kv WHERE k = @k", ("@k", key));
        }
        else
        {
            r.Exec("INSERT INTO kv VALUES (@k, @v) ON CONFLICT (k) DO UPDATE SET v = excluded.v", ("@k", key), ("@v", (long)op.Value));
        }

        r.Store.Fold();
        var row = r.App.Rows("""
            SELECT v.hlc, s.site, v.deleted, v.base_hlc, b.site FROM __repl_versions v JOIN __repl_sites s ON s.id = v.site
            LEFT JOIN __repl_sites b ON b.id = v.base_site JOIN __repl_tables t ON t.id = v.tbl WHERE t.name = 'kv' AND v.pk = x'
            """ + Convert.ToHexString(KeyCodec.Encode([key])) + "'").SingleOrDefault();
        if (row is null)
        {
            return; // a delete of a row that was not there: nothing written
        }

        var version = new RowVersion((long)row[0]!, SiteId.FromBytes((byte[])row[1]!), (long)row[2]! != 0);
        if (version.Site != r.Store.Site)
        {
            return; // the delete found no row: the version is still the remote one
        }

        RowVersion? basedOn = row[3] is long baseHlc ? new RowVersion(baseHlc, SiteId.FromBytes((byte[])row[4]!), false) : null;
        var values = version.Deleted ? null : Describe(r.Rows("kv").Single(x => (string)x[0]! == key));
        if (!history.TryGetValue(key, out var list))
        {
            history[key] = list = [];
        }

        if (list.Count == 0 || list[^1].Version != version)
        {
            list.Add(new Written(version, basedOn, values));
        }
    }

    /// <summary>
    /// Applies <paramref name="from"/>'s own changes after <paramref name="to"/>'s cursor, as a full-mesh tailer; a
    /// cursor below a tombstone <paramref name="from"/> collected resynchronises <paramref name="to"/> first.
    /// </summary>
    private static void Pull(TestReplica from, TestReplica to, TestReplica[] replicas, Action<string>? trace)
    {
        from.Store.Fold();
        var cursorKey = "feed:" + from.Store.Site;
        var after = Cursor(to, from);
        if (after > 0 && after < from.Store.CollectedMarks().Own)
        {
            Resync(to, from);
            trace?.Invoke($"  resync r{Array.IndexOf(replicas, to)} from r{Array.IndexOf(replicas, from)} (cursor {after} < own mark {from.Store.CollectedMarks().Own}):\n{DumpAll(replicas)}");
            foreach (var peer in replicas.Where(p => !ReferenceEquals(p, to)))
            {
                Pull(peer, to, replicas, trace); // every feed again from its start
            }

            return;
        }

        var batch = from.Store.ReadChanges(after, 1000, from.Store.Site);
        to.Store.ApplyBatch(batch.Changes, cursorKey, batch.LastSeq.ToString(CultureInfo.InvariantCulture), from.Store.SchemaHashes);
    }

    private static long Cursor(TestReplica reader, TestReplica of) =>
        reader.Store.ReadCursor("feed:" + of.Store.Site) is { } stored ? long.Parse(stored, CultureInfo.InvariantCulture) : 0;

    /// <summary>What a sidecar does on the 410 answer (see PeerTailer): read the peer's whole state, drop what it lacks, restart every feed.</summary>
    private static void Resync(TestReplica stale, TestReplica peer)
    {
        var holds = new HashSet<string>(StringComparer.Ordinal);
        var after = 0L;
        while (true)
        {
            var page = peer.Store.ReadChanges(after, 1000);
            holds.UnionWith(page.Changes.Select(c => Convert.ToHexString(c.Key)));
            stale.Store.ApplyBatch(page.Changes, "resync:" + peer.Store.Site, page.LastSeq.ToString(CultureInfo.InvariantCulture), peer.Store.SchemaHashes);
            after = page.LastSeq;
            if (page.LastSeq >= page.MaxSeq)
            {
                break;
            }
        }

        stale.Store.DropAbsentAtPeer((_, key) => holds.Contains(Convert.ToHexString(key)), Cursor(peer, stale), peer.Store.Site, peer.Store.UncertainUpTo);
        stale.Store.RestartFeeds();
    }

    private static void RepairAll(TestReplica[] replicas)
    {
        for (var round = 0; round <= replicas.Length; round++)
        {
            foreach (var local in replicas)
            {
                foreach (var remote in replicas.Where(x => !ReferenceEquals(x, local)))
                {
                    RepairPull(local.Store, remote.Store);
                }
            }
        }
    }

    private static void RepairPull(ReplicaStore local, ReplicaStore remote)
    {
        local.Fold();
        remote.Fold();
        if (local.Merkle.Root.AsSpan().SequenceEqual(remote.Merkle.Root))
        {
            return;
        }

        for (var leaf = 0; leaf < local.Merkle.LeafCount; leaf++)
        {
            var winners = Sidecar.Repair.MerkleDiff.RemoteWinners(local.Merkle.Leaf(leaf), remote.Merkle.Leaf(leaf)).Select(e => e.Key).ToArray();
            if (winners.Length > 0)
            {
                local.ApplyBatch(remote.ReadRows("kv", winners), "ae:" + remote.Site, "repair", remote.SchemaHashes);
            }
        }
    }

    /// <summary>
    /// The mesh horizon as the members compute it, from the truth: just below the oldest acknowledged write that some
    /// replica has not applied yet (its version there is older, or it has none and did not collect the key).
    /// </summary>
    private static long MeshHorizon(TestReplica[] replicas, Dictionary<string, List<Written>> history)
    {
        var oldestMissing = long.MaxValue;
        foreach (var (key, writes) in history)
        {
            foreach (var r in replicas)
            {
                var held = r.Store.ReadRows("kv", [KeyCodec.Encode([key])]).SingleOrDefault()?.Version;
                foreach (var w in writes)
                {
                    var applied = held is { } h ? h >= w.Version : w.Version.Hlc <= r.Store.CollectionHorizon;
                    if (!applied)
                    {
                        oldestMissing = Math.Min(oldestMissing, w.Version.Hlc);
                    }
                }
            }
        }

        return oldestMissing == long.MaxValue ? replicas.Max(r => r.Store.Hlc) : oldestMissing - 1;
    }

    private static void Verify(TestReplica[] replicas, Dictionary<string, List<Written>> history)
    {
        var roots = replicas.Select(r => Convert.ToHexString(r.Store.Merkle.Root)).Distinct().ToList();
        if (roots.Count != 1)
        {
            throw new InvalidOperationException($"Merkle roots differ: {string.Join(", ", roots)}\n{DumpAll(replicas)}");
        }

        var dumps = replicas.Select(r => string.Join(";", r.Rows("kv").Select(Describe))).Distinct().ToList();
        if (dumps.Count != 1)
        {
            throw new InvalidOperationException("tables differ:\n" + string.Join("\n", dumps));
        }

        foreach (var r in replicas)
        {
            if (r.Store.Counts() != r.Store.CountVersions() || !r.Store.Merkle.Verify())
            {
                throw new InvalidOperationException("maintained counts or tree differ from the database");
            }
        }

        var logged = replicas.SelectMany(r => r.Store.ReadConflicts("kv", null, 10_000)).ToList();
        foreach (var (key, writes) in history)
        {
            var winner = writes.MaxBy(w => w.Version)!;
            var actual = replicas[0].Rows("kv").SingleOrDefault(x => (string)x[0]! == key);
            if (winner.Version.Deleted ? actual is not null : actual is null || Describe(actual) != winner.Values)
            {
                throw new InvalidOperationException($"{key}: the greatest write {winner.Version} ({winner.Values ?? "delete"}) is not what replicas hold ({(actual is null ? "nothing" : Describe(actual))})");
            }

            foreach (var w in writes.Where(w => w != winner))
            {
                var supersededKnowingly = writes.Any(x => x.Version > w.Version && (x.Version.Site == w.Version.Site || x.Base is { } b && b.CompareTo(w.Version) == 0));
                var sameValuesWon = writes.Any(x => x.Version > w.Version && x.Values == w.Values && w.Values is not null);
                var bothDeletes = w.Version.Deleted && winner.Version.Deleted; // the key ends deleted: the delete lost nothing

                // A delete every member applied may be collected before a concurrent update reaches a member that held
                // it; that member then has nothing to record (a documented limit: losing deletes are logged while held).
                var collectedDelete = w.Version.Deleted && replicas.Any(r => w.Version.Hlc <= r.Store.CollectionHorizon);

                if (supersededKnowingly || sameValuesWon || bothDeletes || collectedDelete)
                {
                    continue;
                }

                if (!logged.Any(c => Equals(KeyCodec.Decode(c.Key)[0], key) && c.Loser.CompareTo(w.Version) == 0))
                {
                    throw new InvalidOperationException($"{key}: write {w.Version} ({w.Values ?? "delete"}) was discarded without a record");
                }
            }
        }
    }

    /// <summary>Each replica's rows, versions and collection horizons, for a failure message.</summary>
    internal static string DumpAll(TestReplica[] replicas) => string.Join("\n", replicas.Select((r, i) =>
        $"r{i} site={r.Store.Site} horizon={r.Store.CollectionHorizon} certified={r.Store.CertifiedHorizon} uncertain={r.Store.UncertainUpTo} rows=[{string.Join(";", r.Rows("kv").Select(Describe))}] versions=[" +
        string.Join("; ", r.App.Rows("""
            SELECT v.pk, v.hlc, s.site, v.deleted FROM __repl_versions v JOIN __repl_sites s ON s.id = v.site
            JOIN __repl_tables t ON t.id = v.tbl WHERE t.name = 'kv' ORDER BY v.pk
            """).Select(x => $"{KeyCodec.Decode((byte[])x[0]!)[0]}@{x[1]}/{SiteId.FromBytes((byte[])x[2]!)}{((long)x[3]! != 0 ? " DEL" : "")}")) + "]"));

    private static string Describe(object?[] row) => string.Join("|", row.Select(v => v switch
    {
        null => "null",
        long l => "i:" + l.ToString(CultureInfo.InvariantCulture),
        _ => "t:" + v,
    }));
}
