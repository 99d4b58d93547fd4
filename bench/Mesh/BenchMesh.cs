using K8sReplication.Bench.Suite;

namespace K8sReplication.Bench.Mesh;

/// <summary>N members on loopback, connected as a full mesh through PUT /v1/config once every port is known.</summary>
internal sealed class BenchMesh : IAsyncDisposable
{
    private BenchMesh(string folder) => Folder = folder;

    public List<BenchNode> Nodes { get; } = [];

    public string Folder { get; }

    /// <summary>Where members 1 and up keep their files, when not in <see cref="Folder"/>.</summary>
    public string? OthersFolder { get; private init; }

    private IEnumerable<string> Folders => OthersFolder is null ? [Folder] : [Folder, OthersFolder];

    public BenchNode this[int i] => Nodes[i];

    /// <param name="folder">Where the members' folders go (emptied first).</param>
    /// <param name="count">Members.</param>
    /// <param name="interval">Anti-entropy interval.</param>
    /// <param name="schema">The app's schema.</param>
    /// <param name="flags">More flags for a member (TLS files, say), made once its folder exists.</param>
    /// <param name="othersFolder">
    /// Where the folders of members 1 and up go instead (emptied first): another file system stands for the other
    /// members' own nodes, so that their disk writes are not the first member's.
    /// </param>
    /// <param name="othersCpus">The CPUs members 1 and up run on (see <see cref="BenchNode.Cpus"/>), or null for any.</param>
    public static async Task<BenchMesh> StartAsync(string folder, int count, string interval = "2s", string schema = BenchNode.Schema,
        Func<BenchNode, IEnumerable<string>>? flags = null, string? othersFolder = null, string? othersCpus = null)
    {
        var mesh = new BenchMesh(folder) { OthersFolder = othersFolder };
        foreach (var f in mesh.Folders)
        {
            if (Directory.Exists(f))
            {
                Directory.Delete(f, recursive: true);
            }
        }

        try
        {
            for (var i = 0; i < count; i++)
            {
                var node = new BenchNode("n" + i, Path.Combine(i > 0 && othersFolder is not null ? othersFolder : folder, "n" + i), interval);
                node.CreateDatabase(schema);
                node.Flags = [.. flags?.Invoke(node) ?? []];
                node.Cpus = i > 0 ? othersCpus : null;
                mesh.Nodes.Add(node);
            }

            await Task.WhenAll(mesh.Nodes.Select(n => n.StartAsync()));
            await Task.WhenAll(mesh.Nodes.Select(n => n.WaitReadyAsync()));
            return mesh;
        }
        catch
        {
            await mesh.DisposeAsync();
            throw;
        }
    }

    /// <summary><see cref="StartAsync"/>, then <see cref="ConnectAsync"/>.</summary>
    public static async Task<BenchMesh> StartConnectedAsync(string folder, int count, Func<BenchNode, IEnumerable<string>>? flags = null)
    {
        var mesh = await StartAsync(folder, count, flags: flags);
        try
        {
            await mesh.ConnectAsync();
            return mesh;
        }
        catch
        {
            await mesh.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every member tails every other (through <paramref name="urlFor"/> when given) and waits until connected.</summary>
    public async Task ConnectAsync(Func<int, int, Uri>? urlFor = null, long generation = 1)
    {
        for (var i = 0; i < Nodes.Count; i++)
        {
            var peers = Enumerable.Range(0, Nodes.Count).Where(j => j != i)
                .Select(j => (Nodes[j].Name, urlFor?.Invoke(i, j) ?? Nodes[j].ReplicationUrl)).ToArray();
            await Nodes[i].SetPeersAsync(generation, peers);
        }

        foreach (var n in Nodes)
        {
            await Shell.WaitAsync(async () => (await n.StatusAsync()) is { PeersConnected: var c, PeersTotal: var t } && c == t && t == Nodes.Count - 1,
                TimeSpan.FromMinutes(2), $"{n.Name} connected to every peer", 20);
        }
    }

    /// <summary>
    /// Waits until every member reports the same Merkle root: the writer has folded its captures and every other member
    /// has applied them (the work a burst leaves behind is done).
    /// </summary>
    public Task SettleAsync(string what, TimeSpan? timeout = null) => Shell.WaitAsync(async () =>
    {
        var roots = await Task.WhenAll(Nodes.Select(async n => (await n.StatusAsync()).MerkleRoot));
        return roots.Distinct(StringComparer.Ordinal).Count() == 1;
    }, timeout ?? TimeSpan.FromMinutes(2), what, 20);

    public async ValueTask DisposeAsync()
    {
        foreach (var n in Nodes)
        {
            await n.DisposeAsync();
        }

        foreach (var f in Folders)
        {
            try
            {
                Directory.Delete(f, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
