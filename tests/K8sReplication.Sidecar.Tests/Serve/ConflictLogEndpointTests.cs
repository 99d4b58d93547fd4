using System.Text.Json;
using K8sReplication.Contracts.Conflicts;
using K8sReplication.Contracts.Json;
using K8sReplication.Sidecar.Serve;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Tests.Storage;
using static K8sReplication.Sidecar.Tests.Storage.ChangeFactory;

namespace K8sReplication.Sidecar.Tests.Serve;

/// <summary>The JSON shape of <c>GET /v1/conflicts</c> entries, and how its <c>since</c> is read.</summary>
public sealed class ConflictLogEndpointTests
{
    [Fact]
    public void Entry_IsAnsweredInTheContractShape_WithTypedKeyAndValues()
    {
        using var r = new TestReplica();
        r.Exec("INSERT INTO pairs VALUES (1, X'00ff', 'mine', 1.0)");
        var h = ConflictLogTests.Ahead(1);
        byte[] blob = [0x00, 0xff];
        r.Store.ApplyBatch([new Change("pairs", KeyCodec.Encode([1L, blob]), new RowVersion(h, SiteB, false), [1L, blob, "theirs", 2.5], 0)], "peer", "1");
        var entry = Assert.Single(r.Store.ReadConflicts("pairs", null, 10));

        var json = JsonSerializer.Serialize(new ConflictsResponse { Conflicts = [ConflictLogEndpoint.ToRecord(entry)] },
            ContractsJsonContext.Default.ConflictsResponse);

        var at = JsonSerializer.Serialize(entry.At.ToUniversalTime());
        Assert.Equal(
            $$"""{"conflicts":[{"table":"pairs","key":[1,{"b":"AP8="}],"reason":"lww","loser":{"hlc":{{entry.Loser.Hlc}},"site":"{{r.Store.Site}}","values":[1,{"b":"AP8="},"mine",{"f":"1"}]},"winner":{"hlc":{{h}},"site":"0000000000000000000000000000000b"},"at":{{at}}}]}""",
            json);
        Assert.EndsWith("+00:00\"", at, StringComparison.Ordinal);
    }

    [Fact]
    public void LosingDelete_HasNullValues_WrittenNotOmitted()
    {
        var entry = new ConflictEntry(1, "kv", KeyCodec.Encode(["a"]), ConflictReasons.Lww, new RowVersion(5, SiteA, true), null,
            new RowVersion(6, SiteB, false), DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123));

        var json = JsonSerializer.Serialize(ConflictLogEndpoint.ToRecord(entry), ContractsJsonContext.Default.ConflictRecord);

        Assert.Contains("\"loser\":{\"hlc\":5,\"site\":\"0000000000000000000000000000000a\",\"values\":null}", json, StringComparison.Ordinal);
        Assert.Contains("\"at\":\"2023-11-14T22:13:20.123+00:00\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-01-31T12:00:00Z", "2026-01-31T12:00:00.0000000+00:00")]
    [InlineData("2026-01-31t12:00:00z", "2026-01-31T12:00:00.0000000+00:00")]
    [InlineData("2026-01-31T12:00:00.5+02:00", "2026-01-31T10:00:00.5000000+00:00")]
    [InlineData("2026-01-31T12:00:00.123456789Z", "2026-01-31T12:00:00.1234567+00:00")]
    public void Since_AcceptsRfc3339_WithAnyOffsetAndLongFractions(string text, string utc)
    {
        Assert.Equal(utc, ConflictLogEndpoint.ParseRfc3339(text)!.Value.ToUniversalTime().ToString("o", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-01-31")]
    [InlineData("2026-01-31T12:00:00")]
    [InlineData("2026-13-31T12:00:00Z")]
    [InlineData("1706702400")]
    [InlineData("2026-01-31 12:00:00Z")]
    public void Since_RefusesWhatIsNotRfc3339(string text)
    {
        Assert.Null(ConflictLogEndpoint.ParseRfc3339(text));
    }
}
