using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Config;
using K8sReplication.Sidecar.Pull;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Network;
using K8sReplication.TestKit.Sqlite;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>
/// A victim sidecar (node 0) tailing a real member X (node 1) through a <see cref="HostilePeer"/> under the peer name
/// <see cref="PeerName"/>, with a 1 s long poll so an attack switched on reaches the victim within a second. Helpers read
/// what the victim reports (status JSON, the rejection metric) and what it stored (rows, feed cursors).
/// </summary>
public sealed partial class HostileScenario : IAsyncDisposable
{
    public const string PeerName = "x";
    public const string RejectedMetric = "replication_batches_rejected_total";
    public static readonly TimeSpan RefusalTimeout = TimeSpan.FromSeconds(15);

    // Backoff after refusals reaches 5 s (jittered), plus one long poll.
    public static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(20);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private long _generation;

    private HostileScenario(TestMesh mesh, HostilePeer hostile)
    {
        Mesh = mesh;
        Hostile = hostile;
    }

    public TestMesh Mesh { get; }

    public TestNode Victim => Mesh[0];

    public TestNode Member => Mesh[1];

    public HostilePeer Hostile { get; }

    /// <summary>
    /// Starts <paramref name="nodes"/> sidecars and the hostile peer in front of node 1, and points the victim at it.
    /// The default anti-entropy interval of an hour leaves the hot path as the only way rows move after the first probe.
    /// </summary>
    public static async Task<HostileScenario> StartAsync(string interval = "1h", IReadOnlyDictionary<string, string>? env = null, int nodes = 2)
    {
        var mesh = await TestMesh.StartAsync(nodes, interval, env: env);
        HostilePeer? hostile = null;
        try
        {
            hostile = await HostilePeer.StartAsync(mesh[1].ReplicationUrl);
            var scenario = new HostileScenario(mesh, hostile);
            await scenario.SetVictimPeersAsync((PeerName, hostile.Url));
            return scenario;
        }
        catch
        {
            if (hostile is not null)
            {
                await hostile.DisposeAsync();
            }

            await mesh.DisposeAsync();
            throw;
        }
    }

    /// <summary>Pushes the victim's peer list (a newer generation each time) with a 1 s long poll.</summary>
    public async Task SetVictimPeersAsync(params (string Name, Uri Url)[] peers)
    {
        using var response = await Victim.PushConfigAsync(new SidecarConfig
        {
            Generation = Interlocked.Increment(ref _generation),
            Peers = [.. peers.Select(p => new PeerConfig { Name = p.Name, Url = p.Url.ToString() })],
            HotPath = new HotPathConfig { Wait = "1s" },
        });
        Assert.True(response.IsSuccessStatusCode, $"config push to the victim failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// Waits until <paramref name="attack"/> answered a request: from then on no feed poll that began while the peer was
    /// still proxying can deliver a change written afterwards unmodified.
    /// </summary>
    public static Task ArmedAsync(HostileAnswer attack) =>
        Eventually.TrueAsync(() => attack.Served >= 1, RefusalTimeout, $"{attack} answers a request");

    /// <summary>Writes a row on X and waits until the victim has it.</summary>
    public async Task WriteOnMemberAndAwaitAsync(string id, string because)
    {
        Member.Exec($"INSERT INTO items VALUES ('{id}', 'from x', 1)");
        await AwaitOnVictimAsync(id, because);
    }

    public async Task AwaitOnVictimAsync(string id, string because)
    {
        try
        {
            await Eventually.TrueAsync(() => Has(Victim, id), RecoveryTimeout, $"row '{id}' on the victim: {because}");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\nhostile peer: {string.Join("; ", Hostile.Attacks)}\n{Mesh.Diagnostics()}", e);
        }
    }

    public static bool Has(TestNode node, string id)
    {
        using var c = node.Open();
        return (long)c.Scalar($"SELECT count(*) FROM items WHERE id = '{id}'")! > 0;
    }

    /// <summary>The victim's stored feed cursor for a site (<c>__repl_cursors</c>, key <c>feed:&lt;site&gt;</c>), or null.</summary>
    public string? Cursor(string site)
    {
        using var c = Victim.Open();
        return c.Scalar($"SELECT value FROM __repl_cursors WHERE key = '{PeerTailer.CursorPrefix}{site}'") as string;
    }

    /// <summary>X's highest feed seq, asked from X directly.</summary>
    public async Task<long> MemberMaxSeqAsync()
    {
        using var response = await Member.ReplicationAsync(HttpMethod.Get, Paths.Changes + "?after=0&limit=1");
        response.EnsureSuccessStatusCode();
        return (long)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["maxSeq"]!;
    }

    /// <summary>Waits until the victim's feed cursor for a site satisfies <paramref name="accept"/>; returns it.</summary>
    public Task<string?> AwaitCursorAsync(string site, Func<string?, bool> accept, string because) =>
        Eventually.ValueAsync(() => Task.FromResult(Cursor(site)), accept, RecoveryTimeout, $"the victim's cursor for site {site}: {because}");

    /// <summary>The victim's <c>/v1/status</c> entry for one peer, as JSON (fields this branch does not know yet included).</summary>
    public async Task<JsonObject> PeerStatusAsync(string name = PeerName)
    {
        var json = await _http.GetStringAsync(new Uri(Victim.Process.AdminUrl, Paths.Status));
        var peers = JsonNode.Parse(json)!["peers"]!.AsArray();
        return peers.Select(p => p!.AsObject()).FirstOrDefault(p => (string?)p["name"] == name)
            ?? throw new InvalidOperationException($"peer {name} not in the victim's status: {json}");
    }

    /// <summary>Sum of <c>replication_batches_rejected_total</c> for a peer over the given reasons (0 when absent).</summary>
    public async Task<double> RejectedAsync(string peer, params string[] reasons)
    {
        var text = await _http.GetStringAsync(new Uri(Victim.Process.AdminUrl, Paths.Metrics));
        return SumSamples(text, RejectedMetric, ("peer", [peer]), ("reason", reasons));
    }

    /// <summary>Waits until the rejection counter for a peer and reasons exceeds <paramref name="above"/>; returns it.</summary>
    public async Task<double> AwaitRejectedAsync(string peer, double above, params string[] reasons)
    {
        try
        {
            return await Eventually.ValueAsync(() => RejectedAsync(peer, reasons), v => v > above, RefusalTimeout,
                $"{RejectedMetric}{{peer=\"{peer}\",reason=~\"{string.Join('|', reasons)}\"}} above {above}");
        }
        catch (TimeoutException e)
        {
            var status = await _http.GetStringAsync(new Uri(Victim.Process.AdminUrl, Paths.Status));
            throw new TimeoutException($"{e.Message}\nhostile peer: {string.Join("; ", Hostile.Attacks)}\nvictim status: {status}\n{Mesh.Diagnostics()}", e);
        }
    }

    /// <summary>Sums the samples of one metric whose labels take one of the allowed values (Prometheus text format).</summary>
    public static double SumSamples(string exposition, string metric, params (string Label, string[] Allowed)[] filters)
    {
        double sum = 0;
        foreach (var line in exposition.Split('\n'))
        {
            if (!line.StartsWith(metric + "{", StringComparison.Ordinal))
            {
                continue;
            }

            var close = line.LastIndexOf('}');
            var labels = LabelPattern().Matches(line[(metric.Length + 1)..close])
                .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
            if (filters.All(f => labels.TryGetValue(f.Label, out var v) && f.Allowed.Contains(v)))
            {
                sum += double.Parse(line[(close + 1)..].Trim().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }

    public async ValueTask DisposeAsync()
    {
        await Hostile.DisposeAsync();
        await Mesh.DisposeAsync();
        _http.Dispose();
    }

    [GeneratedRegex("""([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)""")]
    private static partial Regex LabelPattern();
}
