using System.Globalization;
using K8sReplication.Contracts;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Processes;
using K8sReplication.TestKit.Tools;

namespace K8sReplication.Packaging.Tests.NativeAot;

/// <summary>
/// The sidecar the image ships is the Native AOT binary, so it is published here (<c>dotnet publish -c Release -r
/// linux-x64</c>, cached per checkout, see <see cref="NativeSidecarPublish"/>) and run for real: trimming or AOT
/// breaking JSON, YAML, SQLite or HTTP would pass every JIT test and fail only here. A failed publish fails the tests.
/// </summary>
public sealed class NativeSidecarTests
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task TwoNativeSidecars_WritesOnEachMember_ConvergeBothWays()
    {
        var binary = await NativeSidecarPublish.GetAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await using var a = await NativeMember.StartAsync("a", binary, http);
        await using var b = await NativeMember.StartAsync("b", binary, http);

        // One member's peers arrive as YAML, the other's as JSON: both parsers run compiled ahead of time.
        await a.PushConfigAsync($"generation: 1\npeers:\n  - name: b\n    url: {b.Process.ReplicationUrl}\n");
        await b.PushConfigAsync($$"""{"generation":1,"peers":[{"name":"a","url":"{{a.Process.ReplicationUrl}}"}]}""");

        a.Exec("INSERT INTO items VALUES ('a-1', 'text', 1), ('a-2', 2.5, 2), ('a-3', x'00ff', 3)");
        b.Exec("INSERT INTO items VALUES ('b-1', 'text', 1), ('b-2', NULL, 2)");
        for (var k = 0; k < 10; k++)
        {
            a.Exec($"INSERT INTO items VALUES ('shared-{k}', 'from a', {k}) ON CONFLICT(id) DO UPDATE SET v = excluded.v");
            b.Exec($"INSERT INTO items VALUES ('shared-{k}', 'from b', {k}) ON CONFLICT(id) DO UPDATE SET v = excluded.v");
        }

        try
        {
            await Eventually.TrueAsync(() => a.Dump() == b.Dump() && a.Dump().Split('\n').Length == 15, Converge, "both native members hold the same 15 rows");
            await Eventually.ValueAsync(
                async () => (await a.StatusAsync()).MerkleRoot == (await b.StatusAsync()).MerkleRoot,
                same => same, Converge, "both native members report the same Merkle root");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n==== a\n{a.Dump()}\n{Tail(a.Process.Stderr)}\n==== b\n{b.Dump()}\n{Tail(b.Process.Stderr)}", e);
        }

        var dump = a.Dump();
        Assert.Contains("b-2|null|Int64:2", dump, StringComparison.Ordinal);
        Assert.Contains("a-2|Double:2.5", dump, StringComparison.Ordinal);
        Assert.Contains("a-3|Byte[]:00FF", dump, StringComparison.Ordinal);
        var status = await a.StatusAsync();
        Assert.True(status.Ready);
        Assert.Equal(1, status.PeersConnected);
    }

    /// <summary>The AWS SDK under Native AOT: a native member archives to a real S3-compatible server with pushed credentials, and the native restore command reads it back.</summary>
    [Fact]
    public async Task NativeSidecar_ArchivesToS3_AndTheNativeRestoreReadsItBack()
    {
        var binary = await NativeSidecarPublish.GetAsync();
        await using var s3 = new S3rverServer();
        await s3.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await using var member = await NativeMember.StartAsync("archiving", binary, http);
        member.Exec("INSERT INTO items VALUES ('a', 'text', 1), ('b', x'00ff', 2), ('c', 2.5, 3)");
        var since = DateTimeOffset.UtcNow;
        var credentials = $"\"credentials\":{{\"accessKeyId\":\"{S3rverServer.AccessKeyId}\",\"secretAccessKey\":\"{S3rverServer.SecretAccessKey}\",\"region\":\"us-east-1\"}}";
        await member.PushConfigAsync(
            $"{{\"generation\":1,\"backup\":{{\"url\":\"s3://{S3rverServer.Bucket}/native\",\"endpoint\":\"{s3.Endpoint}\",\"interval\":\"200ms\",{credentials}}}}}");
        var backup = await Eventually.ValueAsync(async () => (await member.StatusAsync()).Backup, b => b is { PendingChanges: 0, LastError: null, LastSuccessAt: { } at } && at > since,
            Converge, "the native member archives its rows");
        Assert.Equal($"s3://{S3rverServer.Bucket}/native", backup!.Url);

        var target = Path.Combine(member.Database.Folder, "restored.db");
        var exit = await SidecarProcess.RunToExitAsync(["restore", "--from", $"s3://{S3rverServer.Bucket}/native", "--endpoint", s3.Endpoint, "--to", target],
            new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = S3rverServer.AccessKeyId,
                ["AWS_SECRET_ACCESS_KEY"] = S3rverServer.SecretAccessKey,
                ["AWS_REGION"] = "us-east-1",
            }, binary: binary);

        Assert.True(exit.ExitCode == 0, exit.Stderr);
        Assert.Contains("\"rows\":3,", exit.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NativeSidecar_IsTheAotBinary_NotTheDotnetHost()
    {
        var binary = await NativeSidecarPublish.GetAsync();
        Assert.True(binary.IsNative);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await using var member = await NativeMember.StartAsync("solo", binary, http);

        var pid = member.Process.Pid.ToString(CultureInfo.InvariantCulture);
        Assert.Equal(Path.GetFullPath(binary.Path), new FileInfo($"/proc/{pid}/exe").LinkTarget);
        // Ahead-of-time code: no CoreCLR (JIT runtime) and no managed host mapped into the process.
        var maps = await File.ReadAllTextAsync($"/proc/{pid}/maps");
        Assert.DoesNotContain("libcoreclr", maps, StringComparison.Ordinal);
        Assert.DoesNotContain("libhostfxr", maps, StringComparison.Ordinal);
        Assert.DoesNotContain("libclrjit", maps, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NativeSidecar_ServesProbesStatusAndMetrics()
    {
        var binary = await NativeSidecarPublish.GetAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await using var member = await NativeMember.StartAsync("probed", binary, http);

        foreach (var path in new[] { Paths.Livez, Paths.Startupz })
        {
            using var response = await member.GetAdminAsync(path);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode}");
        }

        await Eventually.ValueAsync(async () =>
        {
            using var response = await member.GetAdminAsync(Paths.Readyz);
            return response.IsSuccessStatusCode;
        }, ready => ready, TimeSpan.FromSeconds(30), "/readyz answers 200");
        var status = await member.StatusAsync();
        Assert.Equal("probed", status.NodeName);
        Assert.True(status.Ready);

        member.Exec("INSERT INTO items VALUES ('m-1', 'x', 1)");
        var metrics = await Eventually.ValueAsync(
            () => http.GetStringAsync(new Uri(member.Process.AdminUrl, Paths.Metrics)),
            text => text.Contains("# TYPE replication_", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "/metrics exposes the replication_ metrics");
        Assert.Contains("process_cpu_seconds_total", metrics, StringComparison.Ordinal);
    }

    private static string Tail(string stderr) => string.Join('\n', stderr.Split('\n').TakeLast(30));
}
