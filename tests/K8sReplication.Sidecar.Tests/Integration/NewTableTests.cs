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

    [Fact]
    public async Task TableWhoseSchemaDiffers_HoldsNothingElseBack_AndFlowsOnceSchemasAgree_NothingLostOrDuplicated()
    {
        // Anti-entropy off (1 h): the change feed alone must deliver the held-back rows.
        await using var mesh = await TestMesh.StartAsync(2, interval: "1h");
        mesh[0].Exec("CREATE TABLE notes(id TEXT PRIMARY KEY, body, author)"); // member 0 already migrated
        mesh[1].Exec("CREATE TABLE notes(id TEXT PRIMARY KEY, body)");
        await mesh.ConnectFullMeshAsync();
        await Eventually.ValueAsync(mesh[1].StatusAsync, s => s.Peers.Any(p => p.SchemaMismatches.SequenceEqual(["notes"])),
            TimeSpan.FromSeconds(30), "member 1 sees the differing table");

        // One row of the differing table, then 2,500 rows of a table both have, as a new user would.
        mesh[0].Exec("INSERT INTO notes VALUES ('n1', 'first', 'ada')");
        using (var app = mesh[0].Open())
        {
            K8sReplication.TestKit.Sqlite.SqliteConnectionTestExtensions.Execute(app,
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) INSERT INTO items SELECT 'i' || i, 'x', i FROM n");
        }

        // The matching table is not held back by the other one (this took ~32 s when a held-back change stopped the
        // whole feed): its rows arrive within 2 s.
        await Eventually.TrueAsync(() => mesh[1].Count("items") == 2500, TimeSpan.FromSeconds(2), "the matching table's rows all arrive");
        mesh[0].Exec("INSERT INTO notes VALUES ('n2', 'second', 'grace')");
        mesh[0].Exec("UPDATE notes SET body = 'first, edited' WHERE id = 'n1'");
        Assert.Equal(0, mesh[1].Count("notes"));

        // The migration reaches member 1: the held-back rows arrive, each once, in their latest state.
        mesh[1].Exec("ALTER TABLE notes ADD COLUMN author");
        await Eventually.TrueAsync(() => mesh[1].Count("notes") == 2, TimeSpan.FromSeconds(30), "the held-back rows arrive once schemas agree");
        await mesh.WaitConvergedAsync(TimeSpan.FromSeconds(30), "converged after the migration");
        Assert.Equal(mesh[0].Dump("notes"), mesh[1].Dump("notes"));
        Assert.Contains("first, edited", mesh[1].Dump("notes"), StringComparison.Ordinal);
        Assert.Equal(2500, mesh[1].Count("items"));
        await Eventually.ValueAsync(mesh[1].StatusAsync, s => s.Peers.All(p => p.SchemaMismatches.Count == 0), TimeSpan.FromSeconds(30), "mismatch cleared");
    }
}
