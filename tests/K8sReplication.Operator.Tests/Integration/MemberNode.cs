using K8sReplication.TestKit.Processes;
using K8sReplication.TestKit.Sqlite;

namespace K8sReplication.Operator.Tests.Integration;

/// <summary>One member pod under test: its real SQLite file and its real sidecar process.</summary>
internal sealed class MemberNode(string pod, TempDatabase database, SidecarProcess process, List<string> args) : IAsyncDisposable
{
    public string Pod { get; } = pod;

    public TempDatabase Database { get; } = database;

    public SidecarProcess Process { get; private set; } = process;

    public int ReplicationPort => Process.ReplicationUrl.Port;

    public int AdminPort => Process.AdminUrl.Port;

    public long Count()
    {
        using var c = Database.OpenConnection();
        return (long)c.Scalar("SELECT count(*) FROM items")!;
    }

    public void Insert(string id)
    {
        using var c = Database.OpenConnection();
        c.Execute("INSERT INTO items(id, v) VALUES ($id, 'x')", ("$id", id));
    }

    public bool Has(string id)
    {
        using var c = Database.OpenConnection();
        return (long)c.Scalar("SELECT count(*) FROM items WHERE id = $id", ("$id", id))! == 1;
    }

    public void Kill() => Process.Kill();

    /// <summary>Starts the sidecar again on the same ports, as a restarted container keeps its pod's ports.</summary>
    public async Task RestartOnSamePortsAsync(params IEnumerable<string> extraArgs)
    {
        var replication = ReplicationPort;
        var admin = AdminPort;
        await Process.DisposeAsync();
        args.AddRange(extraArgs);
        var same = args.ToList();
        same[same.IndexOf("--listen") + 1] = $"127.0.0.1:{replication}";
        same[same.IndexOf("--admin-listen") + 1] = $"127.0.0.1:{admin}";
        Process = await SidecarProcess.StartAsync(same);
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        Database.Dispose();
    }
}
