using System.Globalization;
using System.Text.RegularExpressions;
using K8sReplication.TestKit.Sqlite;
using Xunit.Abstractions;
using static K8sReplication.Sidecar.Tests.Storage.CollectionPropertyTests;

namespace K8sReplication.Sidecar.Tests.Storage;

/// <summary>
/// Deterministic replay of a printed step list of <see cref="CollectionPropertyTests"/> with a controlled clock: the
/// capture triggers' wall clock (SQLite's julianday('now') on the app connection) and the store's TimeProvider both
/// read <see cref="FakeClock"/>, which the test advances by a fixed step before every write.
/// </summary>
public sealed partial class CollectionPropertyReproTests(ITestOutputHelper output)
{
    /// <summary>The CI failure of seed 3471982304161266285 ("Merkle roots differ").</summary>
    public const string CiSteps = "sync r0->r2; sync r1->r1; expire (r2 away); sync r1->r0; collect r1; sync r0->r0; sync r2->r2; sync r0->r2; r2.delete(k2, 545); r1.upsert(k3, 501); r1.upsert(k1, 365); r1.upsert(k1, 730); r1.delete(k3, 429); r2.upsert(k1, 784); expire (r2 away); sync r0->r2; r1.delete(k2, 338); sync r1->r0; sync r1->r2; r1.delete(k1, 527); r0.delete(k1, 880); sync r1->r1; r0.delete(k1, 976); r1.delete(k0, 844); expire (r2 away); expire (r2 away); sync r2->r0; r1.delete(k1, 36); sync r0->r1; r0.upsert(k3, 471); expire (r1 away); expire (r2 away); r2.delete(k3, 965); r2.delete(k0, 811); expire (r0 away); r1.upsert(k3, 710); sync r0->r1; sync r1->r2; expire (r0 away); expire (r1 away)";

    [Theory]
    [InlineData(0)] // every write in the same millisecond: HLCs differ only by their counters
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1000)]
    public void CiSeed3471982304161266285(long msPerWrite)
    {
        var clock = new FakeClock(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var ops = Parse(CiSteps);
        try
        {
            Run(ops, schema => clock.Attach(new TestReplica(schema, timeProvider: clock)), op =>
            {
                if (op.Kind == Kind.Write)
                {
                    clock.Ms += msPerWrite;
                }
            });
            output.WriteLine($"{msPerWrite} ms per write: passes");
        }
        catch (InvalidOperationException e)
        {
            output.WriteLine($"{msPerWrite} ms per write: {e.Message}");
            throw;
        }
    }

    /// <summary>Search: random per-op clock advances (0 to 3 ms, seeded), to find the timing CI had (about 12% of trials fail).</summary>
    [Fact(Skip = "exploratory: 200 replays; run by hand")]
    public void CiSeed_RandomTimings()
    {
        var ops = Parse(CiSteps);
        var failures = 0;
        for (var trial = 0; trial < 200; trial++)
        {
            var rnd = new Random(trial);
            var advances = ops.Select(_ => (long)rnd.Next(0, 4)).ToArray();
            var clock = new FakeClock(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            var i = 0;
            try
            {
                Run(ops, schema => clock.Attach(new TestReplica(schema, timeProvider: clock)), _ => clock.Ms += advances[i++]);
            }
            catch (InvalidOperationException e)
            {
                if (failures++ < 3)
                {
                    output.WriteLine($"trial {trial} advances {string.Join(",", advances)}:\n{e.Message.Split("\nsteps:")[0]}\n");
                }
            }
        }

        output.WriteLine($"{failures} of 200 failed");
        Assert.Equal(0, failures);
    }

    /// <summary>Trial 3 of the search above: fails every time (r1 ends holding r2's k1 = 784 that every other replica deleted).</summary>
    [Fact]
    public void CiSeed_Trial3Timing()
    {
        long[] advances = [1, 2, 3, 0, 2, 0, 1, 3, 1, 1, 2, 3, 2, 0, 0, 3, 0, 3, 3, 1, 0, 2, 1, 0, 3, 1, 2, 2, 1, 1, 1, 0, 2, 0, 2, 3, 2, 1, 3, 2];
        var ops = Parse(CiSteps);
        var clock = new FakeClock(1_800_000_000_000);
        var i = 0;
        Trace = output.WriteLine;
        try
        {
            var e = Assert.Throws<InvalidOperationException>(() =>
                Run(ops, schema => clock.Attach(new TestReplica(schema, timeProvider: clock)), op => output.WriteLine($"[{clock.Ms += advances[i++]}] {op}")));
            output.WriteLine(e.Message);
        }
        finally
        {
            Trace = null;
        }
    }

    internal static Op[] Parse(string steps) => [.. steps.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(ParseOne)];

    private static Op ParseOne(string s)
    {
        if (SyncRe().Match(s) is { Success: true } sync)
        {
            return new Op(Kind.Sync, Int(sync, 1), Int(sync, 2), 0, false, 0);
        }

        if (CollectRe().Match(s) is { Success: true } collect)
        {
            return new Op(Kind.Collect, Int(collect, 1), 0, 0, false, 0);
        }

        if (ExpireRe().Match(s) is { Success: true } expire)
        {
            // Replica is not printed; any replica other than the away one gives the same Run behaviour.
            var away = Int(expire, 1);
            return new Op(Kind.Expire, (away + 1) % 3, away, 0, false, 0);
        }

        var write = WriteRe().Match(s);
        if (!write.Success)
        {
            throw new FormatException(s);
        }

        return new Op(Kind.Write, Int(write, 1), 0, Int(write, 3), write.Groups[2].Value == "delete", Int(write, 4));
    }

    private static int Int(Match m, int group) => int.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^sync r(\d)->r(\d)$")]
    private static partial Regex SyncRe();

    [GeneratedRegex(@"^collect r(\d)$")]
    private static partial Regex CollectRe();

    [GeneratedRegex(@"^expire \(r(\d) away\)$")]
    private static partial Regex ExpireRe();

    [GeneratedRegex(@"^r(\d)\.(upsert|delete)\(k(\d), (\d+)\)$")]
    private static partial Regex WriteRe();

    /// <summary>A wall clock the test sets: the store's TimeProvider and the capture triggers' julianday('now').</summary>
    internal sealed class FakeClock(long ms) : TimeProvider
    {
        public long Ms { get; set; } = ms;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeMilliseconds(Ms);

        public TestReplica Attach(TestReplica replica)
        {
            // An application-defined function overrides the built-in one on this connection (the app's, where the
            // capture triggers run).
            replica.App.CreateFunction("julianday", (string _) => (Ms / 86400000.0) + 2440587.5);
            var seen = (long)replica.App.Rows("SELECT CAST((julianday('now') - 2440587.5) * 86400000.0 + 0.5 AS INTEGER)")[0][0]!;
            Assert.Equal(Ms, seen);
            return replica;
        }
    }
}
