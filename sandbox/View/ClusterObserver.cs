using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Json;
using K8sReplication.Sandbox.Cluster;
using K8sReplication.Sandbox.Members;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sandbox.View;

/// <summary>
/// Takes <see cref="ClusterSnapshot"/>s: the mesh from the API server, each member's database read as the app would,
/// each sidecar's <c>/v1/status</c> (readiness, Merkle root, conflict-log entries) and <c>/metrics</c> (applied-changes
/// counter, for throughput).
/// </summary>
internal sealed class ClusterObserver(EmulatedCluster cluster, MemberSet members, AppWriter? writer) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(3) };
    private long _lastApplied = -1;
    private long _lastTimestamp;

    public async Task<ClusterSnapshot> CaptureAsync(CancellationToken cancellationToken)
    {
        var status = await TryAsync(() => cluster.GetMeshStatusAsync(cancellationToken));
        var current = members.All;
        var snapshots = await Task.WhenAll(current.Select(m => CaptureMemberAsync(m, cancellationToken)));
        var applied = snapshots.Sum(s => s.AppliedTotal);
        var now = Stopwatch.GetTimestamp();
        var rate = 0.0;
        if (_lastApplied >= 0 && applied >= _lastApplied)
        {
            var seconds = Stopwatch.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
            rate = seconds > 0 ? (applied - _lastApplied) / seconds : 0;
        }

        _lastApplied = applied;
        _lastTimestamp = now;
        return new ClusterSnapshot(status, snapshots, rate, writer?.Total ?? 0);
    }

    private async Task<MemberSnapshot> CaptureMemberAsync(Member member, CancellationToken cancellationToken)
    {
        long rows = -1;
        long events = -1;
        var digest = "?";
        try
        {
            rows = AppSchema.CountRows(member.DatabasePath);
            events = AppSchema.CountEvents(member.DatabasePath);
            digest = AppSchema.ContentDigest(member.DatabasePath);
        }
        catch (SqliteException)
        {
            // Busy for longer than the timeout: shown as unknown this round.
        }

        var writes = writer?.WritesOn(member.Name) ?? 0;
        if (!member.Running)
        {
            return new MemberSnapshot(member.Name, false, rows, events, digest, "", false, 0, 0, 0, writes, 0);
        }

        var health = await TryAsync(() => _http.GetFromJsonAsync(new Uri(member.AdminUrl, Paths.Status), ContractsJsonContext.Default.SidecarHealth,
            cancellationToken));
        var metrics = await TryAsync(() => _http.GetStringAsync(new Uri(member.AdminUrl, Paths.Metrics), cancellationToken));
        return new MemberSnapshot(member.Name, health is not null, rows, events, digest, health?.MerkleRoot ?? "", health?.Ready ?? false,
            health?.PeersConnected ?? 0, health?.PeersTotal ?? 0, SumCounter(metrics, "replication_changes_applied_total"), writes,
            health?.Conflicts ?? 0);
    }

    /// <summary>Sums every series of a counter in Prometheus text format.</summary>
    internal static long SumCounter(string? exposition, string name)
    {
        if (exposition is null)
        {
            return 0;
        }

        double sum = 0;
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is '{' or ' ')
            {
                var value = line[(line.LastIndexOf(' ') + 1)..];
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                {
                    sum += v;
                }
            }
        }

        return (long)sum;
    }

    private static async Task<T?> TryAsync<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException or k8s.Autorest.HttpOperationException)
        {
            return default;
        }
    }

    public void Dispose() => _http.Dispose();
}
