using System.Diagnostics;
using System.Globalization;
using System.Text;
using K8sReplication.Bench.Suite;

namespace K8sReplication.Bench.Peers;

/// <summary>
/// PostgreSQL logical replication between two local clusters (initdb into temp dirs, run as the `postgres` user when
/// we are root because initdb refuses root; wal_level=logical; publication/subscription). The same rows as ours
/// (UUID text keys, 100-byte bytea values) are inserted in 1000-row transactions by one psql session. The subscriber's
/// table has one extra column `applied_at default clock_timestamp()` filled by the apply worker, so convergence time is
/// max(applied_at) − the moment before the writes started (same clock, same machine); polling only detects completion.
/// </summary>
internal static class PostgresPeer
{
    public static async Task<Sample> RunAsync(SuiteOptions o, string binDir)
    {
        var dir = Path.Combine(o.Dir, "pg");
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        Directory.CreateDirectory(dir);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            Shell.Run("chown", ["-R", "postgres:", dir]);
        }

        var pub = new Cluster(binDir, Path.Combine(dir, "pub"), FreePort.Next(), asRoot);
        var sub = new Cluster(binDir, Path.Combine(dir, "sub"), FreePort.Next(), asRoot);
        try
        {
            pub.InitAndStart();
            sub.InitAndStart();
            pub.Sql("CREATE TABLE t(k text PRIMARY KEY, v bytea); CREATE PUBLICATION p FOR TABLE t;");
            sub.Sql("CREATE TABLE t(k text PRIMARY KEY, v bytea, applied_at timestamptz DEFAULT clock_timestamp())");
            sub.Sql($"CREATE SUBSCRIPTION s CONNECTION 'host=127.0.0.1 port={pub.Port} user=postgres dbname=postgres' PUBLICATION p;");
            var times = new Sample("s");
            for (var rep = 0; rep < o.Reps; rep++)
            {
                pub.Sql("TRUNCATE t");
                await Shell.WaitAsync(() => Task.FromResult(sub.Sql("SELECT count(*) FROM t").Trim() == "0"), TimeSpan.FromSeconds(60), "subscriber truncated", 100);
                var script = Script(o.Rows);
                var startEpoch = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
                pub.Sql(null, script);
                var sw = Stopwatch.StartNew();
                await Shell.WaitAsync(() => Task.FromResult(long.Parse(sub.Sql("SELECT count(*) FROM t"), CultureInfo.InvariantCulture) >= o.Rows),
                    TimeSpan.FromMinutes(3), "postgres subscriber has all rows", 100);
                var end = double.Parse(sub.Sql("SELECT extract(epoch FROM max(applied_at)) FROM t"), CultureInfo.InvariantCulture);
                times.Add(end - startEpoch);
            }

            return times;
        }
        finally
        {
            sub.Stop();
            pub.Stop();
        }
    }

    private static string Script(int rows)
    {
        var sb = new StringBuilder();
        for (var start = 0; start < rows; start += 1000)
        {
            sb.Append("BEGIN;\nINSERT INTO t(k, v) VALUES ");
            for (var i = start; i < Math.Min(rows, start + 1000); i++)
            {
                sb.Append(i == start ? "" : ",").Append("('").Append(Guid.NewGuid()).Append("','\\x")
                    .Append(Convert.ToHexString(Cases.LimitCases.Payload())).Append("')");
            }

            sb.Append(";\nCOMMIT;\n");
        }

        return sb.ToString();
    }

    private sealed class Cluster(string binDir, string dataDir, int port, bool asRoot)
    {
        public int Port => port;

        public void InitAndStart()
        {
            Pg("initdb", "-D", dataDir, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8");
            File.AppendAllText(Path.Combine(dataDir, "postgresql.conf"),
                $"\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{dataDir}'\nwal_level = logical\n"
                + "max_wal_senders = 10\nmax_replication_slots = 10\nshared_buffers = 128MB\n");
            Pg("pg_ctl", "-D", dataDir, "-l", Path.Combine(dataDir, "log"), "-w", "-t", "120", "start");
        }

        public void Stop()
        {
            if (File.Exists(Path.Combine(dataDir, "postmaster.pid")))
            {
                Pg("pg_ctl", "-D", dataDir, "-m", "fast", "-w", "stop");
            }
        }

        public string Sql(string? sql, string? stdin = null)
        {
            var args = new List<string> { "-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", "postgres", "-qtAX", "-v", "ON_ERROR_STOP=1" };
            if (sql is not null)
            {
                args.AddRange(["-c", sql]);
            }

            return Shell.Run(Path.Combine(binDir, "psql"), args, stdin).Trim();
        }

        public string Sql(string sql) => Sql(sql, null);

        private void Pg(string tool, params string[] args)
        {
            var exe = Path.Combine(binDir, tool);
            if (asRoot)
            {
                Shell.Run("runuser", ["-u", "postgres", "--", exe, .. args]);
            }
            else
            {
                Shell.Run(exe, args);
            }
        }
    }
}
