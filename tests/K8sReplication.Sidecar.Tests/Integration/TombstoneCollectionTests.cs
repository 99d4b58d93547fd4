using K8sReplication.TestKit;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>
/// Tombstone collection between real sidecars in a full mesh: deletes every member applied are collected on every
/// member; while one member is away (configured, not reachable) nothing it may not hold is collected, so its old rows
/// cannot come back when it returns; a member away longer than the TTL resynchronises, and its own writes older than the
/// deletes collected without it go to its conflict log.
/// </summary>
public sealed class TombstoneCollectionTests
{
    [Fact]
    public async Task DeletesEveryMemberApplied_AreCollectedOnEveryMember()
    {
        await using var mesh = await TestMesh.StartAsync(3);
        await mesh.ConnectFullMeshAsync();
        mesh[0].Exec(string.Join(";", Enumerable.Range(0, 100).Select(i => $"INSERT INTO items VALUES ('r{i:D3}', 'v', {i})")));
        await EveryStatusAsync(mesh, s => s.Rows == 100, "the rows reach every member");

        mesh[1].Exec("DELETE FROM items WHERE n < 60");
        await EveryStatusAsync(mesh, s => s.TombstoneCollection.Collected >= 60 && s.Tombstones == 0 && s.Rows == 40,
            "every member applies the 60 deletes and then collects their tombstones");
        await mesh.WaitConvergedAsync(TimeSpan.FromSeconds(30), "members agree after collection");
        Assert.All(await Task.WhenAll(mesh.Nodes.Select(n => n.StatusAsync())), s =>
        {
            Assert.Equal(40, s.Rows);
            Assert.True(s.TombstoneCollection.Collected >= 60, $"collected {s.TombstoneCollection.Collected}");
            Assert.NotNull(s.TombstoneCollection.Horizon);
        });
    }

    [Fact]
    public async Task MemberAway_HoldsCollectionBack_AndItsOldRowsDoNotComeBack()
    {
        await using var mesh = await TestMesh.StartAsync(3);
        await mesh.ConnectFullMeshAsync();
        mesh[0].Exec(string.Join(";", Enumerable.Range(0, 50).Select(i => $"INSERT INTO items VALUES ('r{i:D3}', 'v', {i})")));
        await EveryStatusAsync(mesh, s => s.Rows == 50, "the rows reach every member");

        await SendAwayAsync(mesh); // n2 goes away
        mesh[0].Exec("DELETE FROM items WHERE n < 30");
        await Eventually.ValueAsync(() => mesh[1].StatusAsync(), s => s.Tombstones == 30, TimeSpan.FromSeconds(20), "n1 applies the deletes");
        Assert.Equal(50, mesh[2].Count());

        // Collection rounds pass on n0 while n2 is away: held back by n2, nothing collected; then n2 is back.
        var roundsThen = (await mesh[0].StatusAsync()).TombstoneCollection.Rounds;
        var away = await Eventually.ValueAsync(async () => (await mesh[0].StatusAsync()).TombstoneCollection,
            c => c.Rounds >= roundsThen + 2, TimeSpan.FromSeconds(30), "n0 runs collection rounds while n2 is away");
        Assert.Contains(mesh[2].Name, away.HeldBackBy, StringComparison.Ordinal);
        Assert.Equal(30, (await mesh[0].StatusAsync()).Tombstones);
        Assert.Equal(30, (await mesh[1].StatusAsync()).Tombstones);

        await mesh.ConnectFullMeshAsync(generation: 3);
        await EveryStatusAsync(mesh, s => s.TombstoneCollection.Collected >= 30 && s.Tombstones == 0 && s.Rows == 20,
            "n2 applies the deletes it missed, then every member collects them");
        await mesh.WaitConvergedAsync(TimeSpan.FromSeconds(30), "no deleted row came back");
        Assert.All(mesh.Nodes, n => Assert.Equal(20, n.Count()));
    }

    [Fact]
    public async Task MemberAwayLongerThanTheTtl_Resynchronises_DeletesWin_AndItsOwnNewWritesReplicate()
    {
        await using var mesh = await TestMesh.StartAsync(3, env: new Dictionary<string, string> { [Contracts.EnvVars.TombstoneTtl] = "3s" });
        await mesh.ConnectFullMeshAsync();
        mesh[0].Exec(string.Join(";", Enumerable.Range(0, 50).Select(i => $"INSERT INTO items VALUES ('r{i:D3}', 'v', {i})")));
        await EveryStatusAsync(mesh, s => s.Rows == 50, "the rows reach every member");

        // n2 goes away and writes a row; then (a millisecond later at least, so their versions are newer) n0 deletes 30
        // rows, and n0 and n1 collect the tombstones once they are older than the TTL; then n2 writes another row.
        await SendAwayAsync(mesh);
        mesh[2].Exec("INSERT INTO items VALUES ('written-before-the-deletes', 'v', 98)");
        var writtenAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await Eventually.ValueAsync(() => Task.FromResult(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ms => ms > writtenAt,
            TimeSpan.FromSeconds(5), "the wall clock passes the millisecond of n2's write");
        mesh[0].Exec("DELETE FROM items WHERE n < 30");
        await Eventually.ValueAsync(() => Task.WhenAll(mesh[0].StatusAsync(), mesh[1].StatusAsync()),
            s => s.All(h => h.TombstoneCollection.Collected >= 30 && h.Tombstones == 0 && h.Rows == 20), TimeSpan.FromSeconds(60),
            "n0 and n1 collect the deletes by age although n2 never applied them");
        mesh[2].Exec("INSERT INTO items VALUES ('written-while-away', 'v', 99)");
        Assert.Equal(52, mesh[2].Count());

        // n2 is back: its peers tell it it is stale; it resynchronises instead of bringing the deleted rows back. Its row
        // older than those deletes may have been one of them (its peers cannot tell): dropped into its conflict log.
        await mesh.ConnectFullMeshAsync(generation: 3);
        await EveryStatusAsync(mesh, s => s.Rows == 21, "every member holds the 20 rows left and n2's new one");
        await mesh.WaitConvergedAsync(TimeSpan.FromSeconds(30), "members agree after the resynchronisation");
        Assert.All(mesh.Nodes, n =>
        {
            Assert.Equal(21, n.Count());
            Assert.Equal(1, n.Count("items WHERE id = 'written-while-away'"));
            Assert.Equal(0, n.Count("items WHERE n < 30 OR id = 'written-before-the-deletes'"));
        });
        Assert.Equal(1, mesh[2].Count("__repl_conflicts WHERE reason = 'expired'"));
        // The status shows it once the resynchronisation has finished (its rows are dropped a moment before).
        var resynced = await Eventually.ValueAsync(async () => (await mesh[2].StatusAsync()).Peers.Where(p => p.LastResync is not null).ToList(),
            r => r.Count > 0, TimeSpan.FromSeconds(10), "n2's status shows its resynchronisation");
        Assert.Contains("dropped 31 rows", resynced[0].LastResync, StringComparison.Ordinal);
    }

    /// <summary>n2 goes away: n0 and n1 still list it (at an address nobody answers), n2 hears from nobody.</summary>
    private static async Task SendAwayAsync(TestMesh mesh)
    {
        var nowhere = new Uri("http://127.0.0.1:9/");
        await mesh[0].SetPeersAsync(2, (mesh[1].Name, mesh[1].ReplicationUrl), (mesh[2].Name, nowhere));
        await mesh[1].SetPeersAsync(2, (mesh[0].Name, mesh[0].ReplicationUrl), (mesh[2].Name, nowhere));
        await mesh[2].SetPeersAsync(2);
    }

    private static Task EveryStatusAsync(TestMesh mesh, Func<Contracts.Health.SidecarHealth, bool> accept, string because) =>
        Eventually.ValueAsync(() => Task.WhenAll(mesh.Nodes.Select(n => n.StatusAsync())), statuses => statuses.All(accept),
            TimeSpan.FromSeconds(60), because);
}
