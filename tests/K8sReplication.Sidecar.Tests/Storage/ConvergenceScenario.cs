using System.Globalization;
using K8sReplication.Sidecar.Repair;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Tests.Storage;

/// <summary>Executes a <see cref="Scenario"/> on real replicas and checks convergence.</summary>
internal static class ConvergenceScenario
{
    private static readonly object?[] AnyKeys = [1L, 2.5, "1", new byte[] { 1 }];

    /// <summary>A table with a unique column besides its key, written with INSERT OR REPLACE from a pool of 2 values.</summary>
    private const string UsersSchema = "CREATE TABLE users(id TEXT PRIMARY KEY, email TEXT UNIQUE, v);";

    /// <param name="scenario">The steps to run.</param>
    /// <param name="forcedKeyIdBits">Narrows every replica's key ids (ReplicaStoreOptions.ForcedKeyIdBits) so keys collide.</param>
    /// <param name="uniqueTable">Adds the users table (table 4): members then write the same unique values.</param>
    public static void Run(Scenario scenario, int? forcedKeyIdBits = null, bool uniqueTable = false)
    {
        var schema = TestReplica.DefaultSchema + (uniqueTable ? UsersSchema : "");
        var replicas = Enumerable.Range(0, scenario.Replicas).Select(_ => new TestReplica(schema)).ToArray();
        if (forcedKeyIdBits is not null)
        {
            foreach (var replica in replicas)
            {
                replica.ForcedKeyIdBits = forcedKeyIdBits;
                replica.Reopen();
            }
        }

        try
        {
            // Every acknowledged write: (table, key) -> versions with the values the writer had at that version.
            var history = new Dictionary<(string Table, string Key), List<Change>>();
            foreach (var step in scenario.Steps)
            {
                if (step.Kind == StepKind.Write)
                {
                    Write(replicas[step.Replica % replicas.Length], step, history, uniqueTable);
                }
                else
                {
                    Sync(replicas[step.Replica % replicas.Length], replicas[step.Other % replicas.Length], step);
                }
            }

            Repair(replicas);
            Check(replicas, history, uniqueTable);
        }
        finally
        {
            foreach (var replica in replicas)
            {
                replica.Dispose();
            }
        }
    }

    private static void Write(TestReplica r, Step step, Dictionary<(string, string), List<Change>> history, bool uniqueTable)
    {
        object? value = (step.Value % 5) switch
        {
            0 => null,
            1 => (long)step.Value,
            2 => step.Value / 7.0,
            3 => "text-" + step.Value.ToString(CultureInfo.InvariantCulture),
            _ => new byte[] { (byte)step.Value, 0, (byte)(step.Value >> 8) },
        };
        var (table, key, upsert, delete) = (step.Table % (uniqueTable ? 5 : 4)) switch
        {
            4 => ("users", new object?[] { "u" + step.Key.ToString(CultureInfo.InvariantCulture) },
                "INSERT OR REPLACE INTO users VALUES (@k0, 'e' || (@w IS NULL), @v)", "DELETE FROM users WHERE id = @k0"),
            0 => ("kv", new object?[] { "k" + step.Key.ToString(CultureInfo.InvariantCulture) },
                "INSERT INTO kv VALUES (@k0, @v) ON CONFLICT (k) DO UPDATE SET v = excluded.v", "DELETE FROM kv WHERE k = @k0"),
            1 => ("pairs", new object?[] { (long)(step.Key % 2), step.Key / 2 == 0 ? new byte[] { 0 } : new byte[] { 1, 2 } },
                "INSERT INTO pairs VALUES (@k0, @k1, @v, @w) ON CONFLICT (a, b) DO UPDATE SET v = excluded.v, w = excluded.w",
                "DELETE FROM pairs WHERE a = @k0 AND b = @k1"),
            2 => ("anykey", new[] { AnyKeys[step.Key % AnyKeys.Length] },
                "INSERT INTO anykey VALUES (@k0, @v) ON CONFLICT (k) DO UPDATE SET v = excluded.v", "DELETE FROM anykey WHERE k = @k0"),
            _ => ("items", new object?[] { (long)step.Key },
                "INSERT INTO items VALUES (@k0, @v) ON CONFLICT (id) DO UPDATE SET v = excluded.v", "DELETE FROM items WHERE id = @k0"),
        };
        var parameters = key.Select((k, i) => ("@k" + i.ToString(CultureInfo.InvariantCulture), k))
            .Append(("@v", value)).Append(("@w", step.Value % 3 == 0 ? null : (object)(step.Value * 0.25))).ToArray();
        r.Exec(step.Flag ? delete : upsert, parameters);
        r.Store.Fold();
        var encoded = KeyCodec.Encode(key);
        foreach (var acknowledged in r.Store.ReadRows(table, [encoded]))
        {
            var slot = (table, Convert.ToHexString(encoded));
            if (!history.TryGetValue(slot, out var list))
            {
                history[slot] = list = [];
            }

            list.Add(acknowledged);
        }
    }

    private static void Sync(TestReplica from, TestReplica to, Step step)
    {
        if (ReferenceEquals(from, to))
        {
            return;
        }

        var cursorKey = "hot:" + from.Store.Site;
        var after = to.Store.ReadCursor(cursorKey) is { } stored ? long.Parse(stored, CultureInfo.InvariantCulture) : 0;
        var batch = from.Store.ReadChanges(after, 20, step.Flag ? from.Store.Site : null);
        var changes = batch.Changes.Where((_, i) => (step.Mask & (1 << (i % 4))) == 0 || step.Mask % 3 == 0).ToList(); // loss
        if ((step.Mask & 16) != 0)
        {
            changes.AddRange(changes.Take(3)); // duplication
        }

        var random = new Random(step.Key);
        var reordered = changes.OrderBy(_ => random.Next()).ToArray(); // reordering
        to.Store.ApplyBatch(reordered, cursorKey, batch.LastSeq.ToString(CultureInfo.InvariantCulture), from.Store.SchemaHashes);
    }

    /// <summary>Pull-only anti-entropy between all ordered pairs until every root agrees.</summary>
    internal static void Repair(IReadOnlyList<TestReplica> replicas)
    {
        for (var round = 0; round <= replicas.Count; round++)
        {
            foreach (var local in replicas)
            {
                foreach (var remote in replicas.Where(x => !ReferenceEquals(x, local)))
                {
                    Pull(local.Store, remote.Store);
                }
            }

            if (replicas.All(r => r.Store.Merkle.Root.AsSpan().SequenceEqual(replicas[0].Store.Merkle.Root)))
            {
                return;
            }
        }
    }

    internal static int Pull(ReplicaStore local, ReplicaStore remote)
    {
        var pulled = 0;
        if (local.Merkle.Root.AsSpan().SequenceEqual(remote.Merkle.Root))
        {
            return 0;
        }

        var pending = new Stack<string>([""]);
        while (pending.Count > 0)
        {
            var path = pending.Pop();
            foreach (var child in MerkleDiff.DifferingChildren(local.Merkle.Children(path), remote.Merkle.Children(path)))
            {
                var childPath = MerkleDiff.ChildPath(path, child);
                if (childPath.Length < local.Merkle.Depth)
                {
                    pending.Push(childPath);
                    continue;
                }

                var leaf = MerkleDiff.LeafIndex(childPath);
                foreach (var group in MerkleDiff.RemoteWinners(local.Merkle.Leaf(leaf), remote.Merkle.Leaf(leaf)).GroupBy(e => e.Table))
                {
                    var rows = remote.ReadRows(group.Key, group.Select(e => e.Key).ToArray());
                    pulled += local.ApplyBatch(rows, "ae:" + remote.Site, "repair", remote.SchemaHashes).Applied;
                }
            }
        }

        return pulled;
    }

    private static void Check(TestReplica[] replicas, Dictionary<(string Table, string Key), List<Change>> history, bool uniqueTable)
    {
        string[] tables = uniqueTable ? ["kv", "pairs", "anykey", "items", "users"] : ["kv", "pairs", "anykey", "items"];
        var roots = replicas.Select(r => Convert.ToHexString(r.Store.Merkle.Root)).Distinct().ToList();
        if (roots.Count != 1)
        {
            throw new InvalidOperationException($"Merkle roots differ after repair: {string.Join(", ", roots)}");
        }

        foreach (var r in replicas)
        {
            if (!r.Store.Merkle.Verify())
            {
                throw new InvalidOperationException("maintained Merkle tree differs from a rebuild");
            }

            if (r.Store.Counts() != r.Store.CountVersions())
            {
                throw new InvalidOperationException($"maintained row counts {r.Store.Counts()} differ from the database's {r.Store.CountVersions()}");
            }
        }

        foreach (var table in tables)
        {
            var dumps = replicas.Select(r => Dump(r.Rows(table))).Distinct().ToList();
            if (dumps.Count != 1)
            {
                throw new InvalidOperationException($"table {table} differs between replicas:\n{string.Join("\n---\n", dumps)}");
            }
        }

        var live = 0;
        foreach (var ((table, keyHex), versions) in history)
        {
            if (table == "users")
            {
                // A unique conflict deletes the losing row at the winner's version, which no write acknowledged: the
                // greatest version per key is not the oracle here. Every row left must still be one the app wrote.
                foreach (var row in replicas[0].Store.ReadRows(table, [Convert.FromHexString(keyHex)]).Where(c => !c.Version.Deleted))
                {
                    if (!versions.Any(v => v.Version == row.Version && Dump([v.Values ?? []]) == Dump([row.Values ?? []])))
                    {
                        throw new InvalidOperationException($"users/{keyHex}: live row {row.Version} {Dump([row.Values ?? []])} was never written");
                    }
                }

                continue;
            }

            var winner = versions.MaxBy(v => v.Version)!;
            if (!winner.Version.Deleted)
            {
                live++;
            }

            foreach (var r in replicas)
            {
                var actual = r.Store.ReadRows(table, [Convert.FromHexString(keyHex)]).SingleOrDefault();
                if (actual is null || actual.Version != winner.Version || Dump([actual.Values ?? []]) != Dump([winner.Values ?? []]))
                {
                    throw new InvalidOperationException(
                        $"{table}/{keyHex}: expected greatest version {winner.Version} with {Dump([winner.Values ?? []])}, replica {r.Store.Site} has {actual?.Version} with {Dump([actual?.Values ?? []])}");
                }
            }
        }

        var rows = new[] { "kv", "pairs", "anykey", "items" }.Sum(t => replicas[0].Rows(t).Count);
        if (rows != live)
        {
            throw new InvalidOperationException($"{rows} live rows but {live} keys whose greatest acknowledged version is not a delete");
        }
    }

    private static string Dump(IEnumerable<IReadOnlyList<object?>> rows) => string.Join("\n", rows.Select(row => string.Join("|",
        row.Select(v => v switch
        {
            null => "null",
            byte[] b => "x'" + Convert.ToHexString(b) + "'",
            double d => "r:" + d.ToString("R", CultureInfo.InvariantCulture),
            long l => "i:" + l.ToString(CultureInfo.InvariantCulture),
            _ => "t:" + v,
        }))));
}
