using Microsoft.Data.Sqlite;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// The least any replication can do, as the floor of the lag and app-tax cases: a loop on a thread of the bench that
/// polls the source's <c>PRAGMA data_version</c> every millisecond (as the sidecar's commit watcher does), reads the
/// rows after its cursor and copies them into the target in one transaction. No HTTP, no bookkeeping, no second
/// process.
/// </summary>
internal static class BareRelay
{
    /// <summary>
    /// Runs until <paramref name="stop"/>, sleeping after each poll for what <paramref name="pace"/> says of the rows it
    /// found (1 ms by default). <paramref name="select"/> reads the rows after <c>@after</c> in order, the
    /// cursor first; they go into <paramref name="targetTable"/> (created with as many untyped columns when
    /// <paramref name="createTarget"/>).
    /// </summary>
    public static void Run(SqliteConnection from, SqliteConnection to, string select, string targetTable, bool createTarget,
        long after, CancellationToken stop, Func<int, TimeSpan>? pace = null)
    {
        pace ??= _ => TimeSpan.FromMilliseconds(1);
        using var version = from.CreateCommand();
        version.CommandText = "PRAGMA data_version";
        using var read = from.CreateCommand();
        read.CommandText = select;
        var afterParameter = read.Parameters.Add("@after", SqliteType.Integer);
        using var insert = to.CreateCommand();
        long lastVersion = -1;
        while (!stop.IsCancellationRequested)
        {
            var v = (long)version.ExecuteScalar()!;
            if (v == lastVersion)
            {
                Thread.Sleep(pace(0));
                continue;
            }

            lastVersion = v;
            afterParameter.Value = after;
            var rows = new List<object[]>();
            using (var reader = read.ExecuteReader())
            {
                while (reader.Read())
                {
                    var values = new object[reader.FieldCount];
                    reader.GetValues(values);
                    rows.Add(values);
                }
            }

            if (rows.Count == 0)
            {
                Thread.Sleep(pace(0));
                continue;
            }

            if (insert.Parameters.Count == 0)
            {
                var width = rows[0].Length;
                if (createTarget)
                {
                    LimitCases.Exec(to, $"CREATE TABLE IF NOT EXISTS {targetTable}({string.Join(", ", Enumerable.Range(0, width).Select(i => $"c{i}"))})");
                }

                insert.CommandText = $"INSERT INTO {targetTable} VALUES ({string.Join(", ", Enumerable.Range(0, width).Select(i => $"@p{i}"))})";
                for (var i = 0; i < width; i++)
                {
                    insert.Parameters.Add(new SqliteParameter($"@p{i}", null));
                }
            }

            using var tx = to.BeginTransaction();
            insert.Transaction = tx;
            foreach (var row in rows)
            {
                for (var i = 0; i < row.Length; i++)
                {
                    insert.Parameters[i].Value = row[i];
                }

                insert.ExecuteNonQuery();
            }

            tx.Commit();
            after = (long)rows[^1][0];
            Thread.Sleep(pace(rows.Count));
        }
    }
}
