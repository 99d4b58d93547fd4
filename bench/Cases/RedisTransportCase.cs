using System.Diagnostics;
using System.Globalization;
using K8sReplication.Bench.Mesh;
using K8sReplication.Bench.Peers;
using K8sReplication.Bench.Suite;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// The throughput case (N rows written on member 0 in 1000-row transactions, timed until the other member has every
/// row) over the two transports in one run: a 2-member mesh on the HTTP feeds, then one on the Redis transport against
/// a local redis-server (AOF, <c>appendfsync everysec</c>, as the primary of the Redis peer case), then the Redis peer
/// itself (primary→replica of as many keys) as the reference. Prints one line per transport, the peer, and the ratios.
/// </summary>
internal static class RedisTransportCase
{
    public static async Task<int> RunAsync(string[] args)
    {
        var o = SuiteOptions.Parse(args);
        if (await AllCommand.SelectSidecarAsync(o.Sidecar) is not { } note)
        {
            return 2;
        }

        var server = PeerInstaller.Redis(o.InstallPeers);
        if (server is null)
        {
            Console.Error.WriteLine("redis-server: " + PeerInstaller.RedisHint);
            return 2;
        }

        Console.WriteLine(note);
        Console.WriteLine($"rows {o.Rows}, repetitions {o.Reps}, 2 members");
        ThroughputCase.Result http;
        await using (var mesh = await BenchMesh.StartAsync(Path.Combine(o.Dir, "http"), 2, interval: "10m"))
        {
            await mesh.ConnectAsync();
            http = await ThroughputCase.RunAsync(mesh, o);
            Print("http", http, o.Rows);
        }

        var dir = Path.Combine(o.Dir, "redis-server");
        Directory.CreateDirectory(dir);
        var port = FreePort.Next();
        var info = new ProcessStartInfo(server) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", dir,
                     "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--daemonize", "no", "--protected-mode", "no" })
        {
            info.ArgumentList.Add(a);
        }

        using var redis = Process.Start(info) ?? throw new InvalidOperationException("cannot start redis-server");
        ThroughputCase.Result viaRedis;
        redis.OutputDataReceived += (_, _) => { };
        redis.ErrorDataReceived += (_, _) => { };
        redis.BeginOutputReadLine();
        redis.BeginErrorReadLine();
        try
        {
            string[] flags = ["--transport", "redis", "--redis-url", $"redis://127.0.0.1:{port}"];
            await using var mesh = await BenchMesh.StartAsync(Path.Combine(o.Dir, "redis-mesh"), 2, interval: "10m", flags: _ => flags);
            await mesh.ConnectAsync();
            viaRedis = await ThroughputCase.RunAsync(mesh, o);
            Print("redis", viaRedis, o.Rows);
        }
        finally
        {
            redis.Kill();
            await redis.WaitForExitAsync();
            Directory.Delete(dir, recursive: true);
        }

        // The reference in the same run: Redis's own primary→replica replication of the same number of keys.
        var replica = await RedisPeer.RunAsync(o, server);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peer   redis primary→replica {replica.Median:0.000} s ({o.Rows / replica.Median:0} keys/s)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratios redis transport / http feed {viaRedis.ToAll.Median / http.ToAll.Median:0.00}, redis transport / redis primary→replica {viaRedis.ToAll.Median / replica.Median:0.00}"));
        return 0;
    }

    private static void Print(string transport, ThroughputCase.Result r, int rows) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{transport,-6} to-all {r.ToAll.Median:0.00} s ({rows / r.ToAll.Median:0} rows/s), app write {r.WriteSeconds.Median:0.00} s, sender CPU {r.SenderCpuUsPerRow.Median:0.0} µs/row, receiver CPU {r.ReceiverCpuUsPerRow.Median:0.0} µs/row"));
}
