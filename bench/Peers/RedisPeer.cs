using System.Diagnostics;
using System.Globalization;
using K8sReplication.Bench.Cases;
using K8sReplication.Bench.Suite;

namespace K8sReplication.Bench.Peers;

/// <summary>
/// Redis primary→replica on loopback: two redis-server processes (temp dirs, free ports, AOF with fsync every second,
/// the closest to SQLite WAL synchronous=NORMAL), `--replicaof`; N SETs of UUID keys with 100-byte values pipelined
/// in 1000-command batches; timed from the first write until the replica's DBSIZE has all keys.
/// </summary>
internal static class RedisPeer
{
    public static async Task<Sample> RunAsync(SuiteOptions o, string server)
    {
        var dir = Path.Combine(o.Dir, "redis");
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        var pPort = FreePort.Next();
        var rPort = FreePort.Next();
        using var primary = Start(server, Path.Combine(dir, "primary"), pPort, null);
        using var replica = Start(server, Path.Combine(dir, "replica"), rPort, pPort);
        try
        {
            using var p = await ConnectAsync(pPort);
            using var r = await ConnectAsync(rPort);
            await Shell.WaitAsync(() => Task.FromResult(r.Call("INFO", "replication").Contains("master_link_status:up", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(60), "redis replica link up", 50);
            var times = new Sample("s");
            for (var rep = 0; rep < o.Reps; rep++)
            {
                p.Call("FLUSHALL");
                await Shell.WaitAsync(() => Task.FromResult(r.Call("DBSIZE") == "0"), TimeSpan.FromSeconds(60), "redis replica flushed");
                var keys = Enumerable.Range(0, o.Rows).Select(_ => Guid.NewGuid().ToString()).ToArray();
                var values = Enumerable.Range(0, o.Rows).Select(_ => LimitCases.Payload()).ToArray();
                var sw = Stopwatch.StartNew();
                for (var start = 0; start < o.Rows; start += 1000)
                {
                    var end = Math.Min(o.Rows, start + 1000);
                    for (var i = start; i < end; i++)
                    {
                        p.Send("SET", keys[i], values[i]);
                    }

                    p.Flush();
                    for (var i = start; i < end; i++)
                    {
                        p.Read();
                    }
                }

                while (long.Parse(r.Call("DBSIZE"), CultureInfo.InvariantCulture) < o.Rows)
                {
                    if (sw.Elapsed > TimeSpan.FromMinutes(2))
                    {
                        throw new TimeoutException("redis replica never caught up");
                    }

                    await Task.Delay(1);
                }

                times.Add(sw.Elapsed.TotalSeconds);
            }

            return times;
        }
        finally
        {
            Stop(replica);
            Stop(primary);
        }
    }

    private static Process Start(string server, string dir, int port, int? primaryPort)
    {
        Directory.CreateDirectory(dir);
        var info = new ProcessStartInfo(server) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", dir,
                     "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--daemonize", "no", "--protected-mode", "no" })
        {
            info.ArgumentList.Add(a);
        }

        if (primaryPort is { } pp)
        {
            info.ArgumentList.Add("--replicaof");
            info.ArgumentList.Add("127.0.0.1");
            info.ArgumentList.Add(pp.ToString(CultureInfo.InvariantCulture));
        }

        var p = Process.Start(info) ?? throw new InvalidOperationException("cannot start redis-server");
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static async Task<RespClient> ConnectAsync(int port)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var c = new RespClient(port);
                c.Call("PING");
                return c;
            }
            catch (Exception) when (sw.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50);
            }
        }
    }

    private static void Stop(Process p)
    {
        if (!p.HasExited)
        {
            p.Kill();
            p.WaitForExit(10_000);
        }
    }
}
