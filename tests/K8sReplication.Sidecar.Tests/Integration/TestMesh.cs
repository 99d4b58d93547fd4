using K8sReplication.TestKit;
using K8sReplication.TestKit.Processes;
using K8sReplication.TestKit.Sqlite;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>
/// N real sidecar processes on 127.0.0.1:0, each with its own SQLite file holding the same schema, optionally
/// sharing a bearer token. Peers are pushed through <c>PUT /v1/config</c> once every port is known.
/// </summary>
public sealed class TestMesh : IAsyncDisposable
{
    public const string ItemsSchema = "CREATE TABLE items(id TEXT PRIMARY KEY, v ANY, n INTEGER)";

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private TestMesh(string? token) => Token = token;

    public List<TestNode> Nodes { get; } = [];

    public string? Token { get; }

    public TestNode this[int index] => Nodes[index];

    /// <param name="count">Members.</param>
    /// <param name="interval">Anti-entropy interval.</param>
    /// <param name="token">Mesh token, or null for none.</param>
    /// <param name="env">Environment of every sidecar.</param>
    /// <param name="schema">The app's schema.</param>
    /// <param name="flags">More flags for a member, from its name and its folder (TLS files, say).</param>
    public static async Task<TestMesh> StartAsync(int count, string interval = "2s", string? token = "s3cret-token",
        IReadOnlyDictionary<string, string>? env = null, string schema = ItemsSchema, Func<string, string, IEnumerable<string>>? flags = null)
    {
        var mesh = new TestMesh(token);
        try
        {
            var starts = Enumerable.Range(0, count).Select(i => mesh.StartNodeAsync("n" + i, interval, env, schema, flags)).ToList();
            mesh.Nodes.AddRange(await Task.WhenAll(starts));
            return mesh;
        }
        catch
        {
            await mesh.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every node tails every other node (full mesh), through <paramref name="urlFor"/> if given.</summary>
    public async Task ConnectFullMeshAsync(long generation = 1, Func<int, int, Uri>? urlFor = null)
    {
        for (var i = 0; i < Nodes.Count; i++)
        {
            var peers = Enumerable.Range(0, Nodes.Count).Where(j => j != i)
                .Select(j => (Nodes[j].Name, urlFor?.Invoke(i, j) ?? Nodes[j].ReplicationUrl)).ToArray();
            await Nodes[i].SetPeersAsync(generation, peers);
        }
    }

    /// <summary>Waits until every node holds identical rows and Merkle roots.</summary>
    public async Task WaitConvergedAsync(TimeSpan timeout, string because, string table = "items")
    {
        try
        {
            await WaitConvergedCoreAsync(timeout, because, table);
        }
        catch (TimeoutException e)
        {
            var counts = string.Join(", ", Nodes.Select(n => $"{n.Name}={n.Count(table)}"));
            throw new TimeoutException($"{e.Message}\nrow counts: {counts}\n{Diagnostics()}", e);
        }
    }

    private async Task WaitConvergedCoreAsync(TimeSpan timeout, string because, string table)
    {
        await Eventually.TrueAsync(() =>
        {
            var dumps = Nodes.Select(n => n.Dump(table)).Distinct().Count();
            return dumps == 1;
        }, timeout, because + " (rows identical)");
        await Eventually.ValueAsync(async () =>
        {
            var statuses = await Task.WhenAll(Nodes.Select(n => n.StatusAsync()));
            return statuses.Select(s => s.MerkleRoot).Distinct().ToList();
        }, roots => roots.Count == 1 && roots[0].Length > 0, timeout, because + " (Merkle roots identical)");
    }

    public string Diagnostics() => string.Join("\n", Nodes.Select(n =>
        $"==== {n.Name}\n" + string.Join("\n", n.Process.Stderr.Split('\n').Where(l => !l.Contains("Microsoft.Hosting", StringComparison.Ordinal)).TakeLast(40).Select(l => l.Length > 400 ? l[..400] : l))));

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        _http.Dispose();
    }

    private async Task<TestNode> StartNodeAsync(string name, string interval, IReadOnlyDictionary<string, string>? env, string schema,
        Func<string, string, IEnumerable<string>>? flags)
    {
        var db = new TempDatabase();
        using (var c = db.OpenConnection())
        {
            c.Execute(schema);
        }

        var args = new List<string>
        {
            "--database", db.FilePath,
            "--node-name", name,
            "--listen", "127.0.0.1:0",
            "--admin-listen", "127.0.0.1:0",
            "--anti-entropy-interval", interval,
            "--state-dir", Path.Combine(db.Folder, "state"),
        };
        if (Token is not null)
        {
            var tokenFile = Path.Combine(db.Folder, "token");
            await File.WriteAllTextAsync(tokenFile, Token);
            args.AddRange(["--token-file", tokenFile]);
        }

        args.AddRange(flags?.Invoke(name, db.Folder) ?? []);
        var process = await SidecarProcess.StartAsync(args, env);
        return new TestNode(name, db, process, _http, Token);
    }
}
