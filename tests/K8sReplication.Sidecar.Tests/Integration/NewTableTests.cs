using K8sReplication.TestKit;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>
/// Tables the app creates while the sidecar runs: installed at once, their problems reported in /v1/status until
/// fixed, and a table only some members have yet held back as a schema mismatch instead of stalling the peer.
/// </summary>
public sealed class NewTableTests
{
    // The schema is re-checked as soon as the app's DDL commits (and every 10 s as a safety net); the test must not
    // depend on the safety net, so it waits less than that.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task TableCreatedLaterWithoutPrimaryKey_IsReportedInStatus_UntilItIsDropped()
    {
        await using var mesh = await TestMesh.StartAsync(1);
        var node = mesh[0];
        Assert.DoesNotContain((await node.StatusAsync()).Errors, e => e.Contains("late_nopk", StringComparison.Ordinal));

        node.Exec("CREATE TABLE late_nopk(a, b)");
        var status = await Eventually.ValueAsync(node.StatusAsync,
            s => s.Errors.Any(e => e.Contains("'late_nopk'", StringComparison.Ordinal)), Patience, "the new table's problem reported");
        Assert.Contains(status.Errors, e => e.Contains("'late_nopk' has no primary key", StringComparison.Ordinal));

        node.Exec("DROP TABLE late_nopk");
        await Eventually.ValueAsync(node.StatusAsync,
            s => !s.Errors.Any(e => e.Contains("late_nopk", StringComparison.Ordinal)), Patience, "the problem gone once the table is dropped");
    }

    [Fact]
    public async Task TableCreatedLater_ReplicatesItsFirstRows_WithoutWaitingForThePeriodicRefresh()
    {
        await using var mesh = await TestMesh.StartAsync(2);
        await mesh.ConnectFullMeshAsync();
        mesh[0].Exec("CREATE TABLE late(id TEXT PRIMARY KEY, v)");
        mesh[1].Exec("CREATE TABLE late(id TEXT PRIMARY KEY, v)");
        await Eventually.ValueAsync(mesh[0].StatusAsync, s => s.SchemaHashes.ContainsKey("late"), Patience, "late registered on member 0");
        await Eventually.ValueAsync(mesh[1].StatusAsync, s => s.SchemaHashes.ContainsKey("late"), Patience, "late registered on member 1");
        mesh[0].Exec("INSERT INTO late VALUES ('a', 1)");
        await Eventually.TrueAsync(() => mesh[1].Count("late") == 1, Patience, "the row replicated");
    }

    [Fact]
    public async Task TableOnlyOnePeerHasYet_IsAHeldBackSchemaMismatch_NotAStall_UntilTheOtherCreatesIt()
    {
        await using var mesh = await TestMesh.StartAsync(2);
        await mesh.ConnectFullMeshAsync();
        mesh[0].Exec("CREATE TABLE rolled(id TEXT PRIMARY KEY, v)"); // a rolling migration reached member 0 only
        mesh[0].Exec("INSERT INTO rolled VALUES ('r', 1)");
        mesh[0].Exec("INSERT INTO items VALUES ('i', 'still flows', 1)");

        var slow = TimeSpan.FromSeconds(30); // the tailer reconnects with backoff to learn the new table's hash
        var status = await Eventually.ValueAsync(mesh[1].StatusAsync,
            s => s.Peers.Any(p => p.SchemaMismatches.Contains("rolled")), slow, "member 1 reports the missing table");
        await Eventually.TrueAsync(() => mesh[1].Count("items") == 1, slow, "other tables' changes still applied");
        Assert.Contains(status.Peers, p => p.SchemaMismatches.SequenceEqual(["rolled"]));

        mesh[1].Exec("CREATE TABLE rolled(id TEXT PRIMARY KEY, v)");
        await Eventually.TrueAsync(() => mesh[1].Count("rolled") == 1, slow, "the held-back row arrives once the table exists");
        await Eventually.ValueAsync(mesh[1].StatusAsync, s => s.Peers.All(p => p.SchemaMismatches.Count == 0), slow, "mismatch cleared");
    }
}
