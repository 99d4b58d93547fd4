using System.Globalization;
using System.Text.Json.Nodes;
using K8sReplication.Contracts;
using K8sReplication.Sidecar.Storage;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Network;
using K8sReplication.TestKit.Sqlite;
using K8sReplication.TestKit.Processes;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>
/// One hostile or buggy peer must not take a member down: every attack is served by a <see cref="HostilePeer"/>
/// standing in front of a real member, against a real victim sidecar. Each test first proves replication works through
/// the hostile peer, then attacks, checks the victim refused and reported it, and checks it carries on once the peer
/// behaves again.
/// </summary>
public sealed class HostilePeerTests
{
    /// <summary>The chart's memory limit for the sidecar container.</summary>
    private const long MemoryLimit = 256L << 20;

    /// <summary>A victim past this is killed at once, so a missing defence fails the test without starving the machine.</summary>
    private const long MemoryCeilingBytes = 1L << 30;

    public static TheoryData<string> OversizedAnswers => ["huge-body", "endless-stream", "gzip-bomb"];

    [Theory]
    [MemberData(nameof(OversizedAnswers))]
    public async Task OversizedAnswer_IsRefusedAsTooLarge_WithinTheMemoryLimit_AndTheTailerCarriesOn(string attackKind)
    {
        await using var s = await HostileScenario.StartAsync();
        await s.WriteOnMemberAndAwaitAsync("before", "replication through the hostile peer works");

        var start = HostilePeer.FeedStart(s.Member.Process.Site);
        await using var ceiling = new MemoryCeiling(s.Victim.Process, MemoryCeilingBytes);
        var attack = attackKind switch
        {
            "huge-body" => s.Hostile.HugeBody(Paths.Changes, 200L << 20, start),
            "endless-stream" => s.Hostile.EndlessStream(Paths.Changes, start, TimeSpan.FromSeconds(20)),
            _ => s.Hostile.GzipBomb(Paths.Changes, 512L << 20, start),
        };

        await Eventually.TrueAsync(() => attack.Served >= 3 || ceiling.Tripped || s.Victim.Process.HasExited, TimeSpan.FromSeconds(40),
            $"{attack} served three times");
        Assert.False(ceiling.Tripped, $"the victim's resident memory passed {ceiling.HighestBytes >> 20} MiB during the {attack}; killed at the {MemoryCeilingBytes >> 20} MiB ceiling");
        Assert.False(s.Victim.Process.HasExited, $"the victim exited (code {s.Victim.Process.ExitCode}) during the {attack}:\n{s.Mesh.Diagnostics()}");
        var memory = s.Victim.Process.Memory();
        Assert.True(memory.PeakBytes < MemoryLimit, $"victim {memory} after the {attack}; limit {MemoryLimit >> 20} MiB");

        Assert.True(await s.AwaitRejectedAsync(HostileScenario.PeerName, 0, "too_large") > 0);
        var peer = await s.PeerStatusAsync();
        Assert.False(string.IsNullOrEmpty((string?)peer["lastError"]), $"peers[x].lastError after the {attack}: {peer.ToJsonString()}");

        s.Hostile.ProxyAll();
        await s.WriteOnMemberAndAwaitAsync("after", "the tailer carried on once the peer behaved");
    }

    [Fact]
    public async Task NullChanges_AndChangesWithoutKey_AreRefusedAsMalformed_AndTheTailerCarriesOn()
    {
        await using var s = await HostileScenario.StartAsync();
        await s.WriteOnMemberAndAwaitAsync("before", "replication through the hostile peer works");

        s.Hostile.RewriteJson(Paths.Changes, node =>
        {
            node!["changes"] = null;
            return node;
        });
        var refused = await s.AwaitRejectedAsync(HostileScenario.PeerName, 0, "malformed", "invalid");
        var peer = await s.PeerStatusAsync();
        Assert.False(string.IsNullOrEmpty((string?)peer["lastError"]), "lastError while answering changes: null: " + peer.ToJsonString());
        Assert.True((bool?)peer["rejecting"] == true, "peers[x].rejecting while answering changes: null: " + peer.ToJsonString());

        // One change loses its key, the other's is null.
        s.Hostile.RewriteJson(Paths.Changes, node =>
        {
            var changes = node?["changes"] as JsonArray ?? [];
            for (var i = 0; i < changes.Count; i++)
            {
                var change = changes[i]!.AsObject();
                if (i == 0)
                {
                    change.Remove("k");
                }
                else
                {
                    change["k"] = null;
                }
            }

            return node;
        });
        s.Member.Exec("INSERT INTO items VALUES ('k1', 'a', 1), ('k2', 'b', 2)");
        await s.AwaitRejectedAsync(HostileScenario.PeerName, refused, "malformed", "invalid");
        Assert.False(HostileScenario.Has(s.Victim, "k1") || HostileScenario.Has(s.Victim, "k2"), "a batch with keyless changes was applied:\n" + s.Victim.Dump());

        s.Hostile.ProxyAll();
        await s.AwaitOnVictimAsync("k1", "the refused batch arrives once the peer behaves");
        await s.AwaitOnVictimAsync("k2", "the refused batch arrives once the peer behaves");
    }

    [Fact]
    public async Task MerkleNodeWithTooFewChildren_AndInvalidLeafKey_FailTheRound_AndLaterRoundsRunAgain()
    {
        // Hot path off: rows reach the victim through anti-entropy rounds only, and every new row on X makes them descend.
        // The compact endpoints answer 404, as on a member that predates them, so rounds use the JSON endpoints.
        var env = new Dictionary<string, string> { ["K8SREPL_FAULTS"] = "hotpath-off" };
        await using var s = await HostileScenario.StartAsync(interval: "500ms", env: env);
        CompactRepairTests.ActAsOldMember(s.Hostile);
        await s.WriteOnMemberAndAwaitAsync("before", "anti-entropy through the hostile peer works");

        var since = DateTimeOffset.UtcNow;
        s.Hostile.RewriteJson(Paths.MerkleNodes, node =>
        {
            if (node?["children"] is not JsonArray children)
            {
                return node;
            }

            node["children"] = new JsonArray([.. children.Take(3).Select(c => (JsonNode?)JsonValue.Create((string?)c))]);
            return node;
        });
        s.Member.Exec("INSERT INTO items VALUES ('m1', 'x', 1)");
        var failed = await AwaitRoundAsync(s, r => r == "failed", since, "a round failed on a Merkle node with 3 children");
        Assert.False(string.IsNullOrEmpty((string?)failed["error"]), "the failed round names its error: " + failed.ToJsonString());
        Assert.False(HostileScenario.Has(s.Victim, "m1"));

        s.Hostile.ProxyAll();
        CompactRepairTests.ActAsOldMember(s.Hostile);
        await s.AwaitOnVictimAsync("m1", "later rounds run again and repair");
        var repaired = await AwaitRoundAsync(s, r => r is "repaired" or "equal", At(failed), "a round succeeded after the failed one");

        var badKey = Convert.ToBase64String([9, 9, 9]);
        s.Hostile.RewriteJson(Paths.MerkleLeaves, node =>
        {
            foreach (var entry in node?["entries"] as JsonArray ?? [])
            {
                entry!["k"] = badKey;
            }

            return node;
        });
        s.Member.Exec("INSERT INTO items VALUES ('m2', 'x', 2)");
        failed = await AwaitRoundAsync(s, r => r == "failed", At(repaired), "a round failed on a leaf entry with an invalid key");
        Assert.False(string.IsNullOrEmpty((string?)failed["error"]), "the failed round names its error: " + failed.ToJsonString());

        s.Hostile.ProxyAll();
        await s.AwaitOnVictimAsync("m2", "later rounds run again and repair");
        Assert.False(s.Victim.Process.HasExited);
    }

    [Fact]
    public async Task IntegerKeyForTextPrimaryKey_AndNullKeyPart_AreRefusedAsInvalid_AndNothingIsStored()
    {
        await using var s = await HostileScenario.StartAsync();
        await s.WriteOnMemberAndAwaitAsync("before", "replication through the hostile peer works");
        var rowsBefore = s.Victim.Count();
        var versionsBefore = Versions(s.Victim);

        await HostileScenario.ArmedAsync(s.Hostile.RewriteJson(Paths.Changes, ForgeKeys([42L], 42L)));
        s.Member.Exec("INSERT INTO items VALUES ('k1', 'a', 1)");
        var refused = await s.AwaitRejectedAsync(HostileScenario.PeerName, 0, "invalid");
        await AssertRefusingAsync(s, "an integer key for a TEXT primary key");
        Assert.Equal(rowsBefore, s.Victim.Count());
        Assert.Equal(versionsBefore, Versions(s.Victim));
        Assert.False(HostileScenario.Has(s.Victim, "42") || HostileScenario.Has(s.Victim, "k1"), "integer key stored:\n" + s.Victim.Dump());

        s.Hostile.RewriteJson(Paths.Changes, ForgeKeys([null], null));
        s.Member.Exec("INSERT INTO items VALUES ('k2', 'b', 2)");
        await s.AwaitRejectedAsync(HostileScenario.PeerName, refused, "invalid");
        await AssertRefusingAsync(s, "a NULL key part");
        Assert.Equal(rowsBefore, s.Victim.Count());
        Assert.Equal(versionsBefore, Versions(s.Victim));

        s.Hostile.ProxyAll();
        await s.AwaitOnVictimAsync("k1", "replication resumes once the peer behaves");
        await s.AwaitOnVictimAsync("k2", "replication resumes once the peer behaves");
        await s.WriteOnMemberAndAwaitAsync("after", "later batches are accepted");
    }

    [Fact]
    public async Task PeerChangingItsSite_IsRefused_AndTheBindingSurvivesARestart()
    {
        await using var s = await HostileScenario.StartAsync();
        await s.WriteOnMemberAndAwaitAsync("before", "replication through the hostile peer works: the peer name is bound to X's site");
        var site = s.Member.Process.Site;
        var cursor = await s.AwaitCursorAsync(site, c => c is not null, "stored by the hot path");

        var impostor = Guid.NewGuid().ToString("N");
        s.Hostile.RewriteJson("/v1/", AnnounceSite(impostor));

        // Write only once a refusal is counted: a feed poll that began while proxying can no longer carry the row.
        var first = await s.AwaitRejectedAsync(HostileScenario.PeerName, 0, "site_changed");
        s.Member.Exec("INSERT INTO items VALUES ('p2', 'x', 2)");
        await s.AwaitRejectedAsync(HostileScenario.PeerName, first, "site_changed");
        var peer = await s.PeerStatusAsync();
        var error = (string?)peer["lastError"] ?? "";
        Assert.True(error.Contains(site, StringComparison.OrdinalIgnoreCase) && error.Contains(impostor, StringComparison.OrdinalIgnoreCase),
            $"lastError names the bound site {site} and the announced {impostor}: {peer.ToJsonString()}");
        Assert.Equal(cursor, s.Cursor(site));
        Assert.Null(s.Cursor(impostor));
        Assert.False(HostileScenario.Has(s.Victim, "p2"), "a change from a peer that changed its site was applied");

        await s.Victim.Process.StopAsync();
        await s.Victim.Process.RestartAsync();
        await s.AwaitRejectedAsync(HostileScenario.PeerName, 0, "site_changed");
        Assert.Equal(cursor, s.Cursor(site));
        Assert.Null(s.Cursor(impostor));

        s.Hostile.ProxyAll();
        await s.AwaitOnVictimAsync("p2", "the peer announcing its bound site again is accepted");
        await s.AwaitCursorAsync(site, c => c != cursor, "moves on once the peer announces its bound site again");
    }

    [Fact]
    public async Task SecondPeerAnnouncingASiteAnotherPeerHolds_IsRefused_AndThatSitesCursorStays()
    {
        // Nodes: 0 victim, 1 X (behind the hostile peer, bound as "x"), 2 Z, which tails X so its feed holds X's rows
        // under Z's own, higher sequence numbers.
        await using var s = await HostileScenario.StartAsync(nodes: 3);
        var z = s.Mesh[2];
        for (var i = 0; i < 20; i++)
        {
            z.Exec($"INSERT INTO items VALUES ('z{i}', 'z', {i})");
        }

        await Eventually.ValueAsync(z.StatusAsync, st => st.Rows == 20, TimeSpan.FromSeconds(10), "Z folded its own rows first");
        await z.SetPeersAsync(1, ("x", s.Member.ReplicationUrl));
        await s.WriteOnMemberAndAwaitAsync("before", "replication through the hostile peer works: x is bound to X's site");
        await Eventually.TrueAsync(() => HostileScenario.Has(z, "before"), TimeSpan.FromSeconds(20), "Z replicated X's row");
        var site = s.Member.Process.Site;
        var cursor = await s.AwaitCursorAsync(site, c => c is not null, "stored by the hot path");

        await using var liar = await HostilePeer.StartAsync(z.ReplicationUrl);
        liar.RewriteJson("/v1/", AnnounceSite(site));
        await s.SetVictimPeersAsync((HostileScenario.PeerName, s.Hostile.Url), ("y", liar.Url));
        await s.AwaitRejectedAsync("y", 0, "site_taken");
        var y = await s.PeerStatusAsync("y");
        Assert.False(string.IsNullOrEmpty((string?)y["lastError"]), "peers[y].lastError: " + y.ToJsonString());
        Assert.Equal(cursor, s.Cursor(site));

        await s.WriteOnMemberAndAwaitAsync("after", "the peer really holding the site still replicates");
        Assert.Equal(0, await s.RejectedAsync(HostileScenario.PeerName, "site_taken", "site_changed"));
    }

    [Fact]
    public async Task FeedAnswerWithLastSeqBeyondMaxSeq_IsRefused_AndTheCursorStays()
    {
        await using var s = await HostileScenario.StartAsync();
        await s.WriteOnMemberAndAwaitAsync("before", "replication through the hostile peer works");
        var site = s.Member.Process.Site;
        var cursor = await s.AwaitCursorAsync(site, c => c is not null, "stored by the hot path");

        await HostileScenario.ArmedAsync(s.Hostile.RewriteJson(Paths.Changes, node =>
        {
            if (node?["maxSeq"] is JsonValue maxSeq)
            {
                node["lastSeq"] = (long)maxSeq + 1000;
            }

            return node;
        }));
        s.Member.Exec("INSERT INTO items VALUES ('p2', 'x', 2)");
        await s.AwaitRejectedAsync(HostileScenario.PeerName, 0, "seq_beyond_max");
        Assert.Equal(cursor, s.Cursor(site));
        Assert.False(HostileScenario.Has(s.Victim, "p2"), "a change of a batch claiming a cursor beyond the feed was applied");

        s.Hostile.ProxyAll();
        await s.AwaitOnVictimAsync("p2", "the tailer carries on from the stored cursor");
        var maxSeq = (await s.MemberMaxSeqAsync()).ToString(CultureInfo.InvariantCulture);
        await s.AwaitCursorAsync(site, c => c == maxSeq, $"X's last seq {maxSeq}, not beyond X's feed");
    }

    private static Func<JsonNode?, JsonNode?> AnnounceSite(string site) => node =>
    {
        if (node is JsonObject o && o.ContainsKey("site"))
        {
            o["site"] = site;
        }

        return node;
    };

    /// <summary>Replaces every change's key (and its primary-key value) with a crafted one.</summary>
    private static Func<JsonNode?, JsonNode?> ForgeKeys(object?[] key, long? value)
    {
        var encoded = Convert.ToBase64String(KeyCodec.Encode(key));
        return node =>
        {
            foreach (var change in node?["changes"] as JsonArray ?? [])
            {
                change!["k"] = encoded;
                if (change["v"] is JsonArray values && values.Count > 0)
                {
                    values[0] = value is { } v ? JsonValue.Create(v) : null;
                }
            }

            return node;
        };
    }

    private static async Task AssertRefusingAsync(HostileScenario s, string what)
    {
        var peer = await s.PeerStatusAsync();
        Assert.True((bool?)peer["rejecting"] == true, $"peers[x].rejecting while refusing {what}: {peer.ToJsonString()}");
        Assert.True((long?)peer["batchesRejected"] > 0, $"peers[x].batchesRejected while refusing {what}: {peer.ToJsonString()}");
        Assert.False((double?)peer["lagSeconds"] == 0 && peer["lastError"] is null, $"status looks healthy while refusing {what}: {peer.ToJsonString()}");
    }

    private static long Versions(TestNode node)
    {
        using var c = node.Open();
        return (long)c.Scalar("SELECT count(*) FROM __repl_versions")!;
    }

    private static DateTimeOffset At(JsonObject round) => DateTimeOffset.Parse((string)round["at"]!, CultureInfo.InvariantCulture);

    /// <summary>Waits for a round result of peer x that ended after <paramref name="after"/>; returns <c>lastAntiEntropy</c>.</summary>
    private static async Task<JsonObject> AwaitRoundAsync(HostileScenario s, Func<string?, bool> result, DateTimeOffset after, string because)
    {
        try
        {
            var peer = await Eventually.ValueAsync(() => s.PeerStatusAsync(),
                p => p["lastAntiEntropy"] is JsonObject r && result((string?)r["result"]) && At(r) > after,
                TimeSpan.FromSeconds(15), because);
            return peer["lastAntiEntropy"]!.AsObject();
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\nhostile peer: {string.Join("; ", s.Hostile.Attacks)}\n{s.Mesh.Diagnostics()}", e);
        }
    }
}
