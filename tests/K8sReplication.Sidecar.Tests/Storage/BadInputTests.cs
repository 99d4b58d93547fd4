using K8sReplication.Sidecar.Storage;
using K8sReplication.TestKit.Sqlite;
using static K8sReplication.Sidecar.Tests.Storage.ChangeFactory;

namespace K8sReplication.Sidecar.Tests.Storage;

/// <summary>Each bad batch fails with an error naming the field, and changes nothing: data, versions, cursor.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TestReplica r = new() { MaxBatchSize = 50 };
    private readonly List<object?[]> dataBefore;
    private readonly ChangeBatch versionsBefore;

    public BadInputTests()
    {
        r.Reopen(); // pick up MaxBatchSize
        r.Store.ApplyBatch([Kv("a", "good", NowHlc(), SiteA)], "peer", "before");
        dataBefore = r.Rows("kv");
        versionsBefore = r.Store.ReadChanges(0, 100);
    }

    public void Dispose() => r.Dispose();

    public static TheoryData<string, string> BadBatches() => new()
    {
        { "unknown-table", "changes[1].table" },
        { "wrong-value-count", "changes[1].values" },
        { "wrong-value-type", "changes[1].values[1]" },
        { "malformed-key", "changes[1].key" },
        { "key-arity", "changes[1].key" },
        { "key-not-matching-values", "changes[1].values[0]" },
        { "constraint", "changes[1].values" },
        { "oversize", "changes" },
        { "integer-key-for-text-column", "changes[1].key" },
        { "numeric-text-key-for-integer-column", "changes[1].key" },
        { "real-key-for-rowid-alias", "changes[1].key" },
        { "null-key-part", "changes[1].key" },
        { "null-key-part-delete", "changes[1].key" },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public void BadBatch_IsRejectedWithClearError_AndChangesNothing(string kind, string field)
    {
        var good = Kv("b", "fine", NowHlc(), SiteA);
        var bad = kind switch
        {
            "unknown-table" => good with { Table = "nope" },
            "wrong-value-count" => good with { Values = ["b", "fine", "extra"] },
            "wrong-value-type" => good with { Values = ["b", DateTime.UtcNow] },
            "malformed-key" => good with { Key = [0x03, 0, 0, 0, 9, 1] },
            "key-arity" => good with { Key = KeyCodec.Encode(["b", 1L]) },
            "key-not-matching-values" => good with { Values = ["c", "fine"] },
            "constraint" => new Change("pairs", KeyCodec.Encode([1L, new byte[] { 1 }]),
                new RowVersion(NowHlc(), SiteA, false), [1L, null, "v", 1.0], 0) { },
            "integer-key-for-text-column" => good with { Key = KeyCodec.Encode([5L]), Values = [5L, "fine"] },
            "numeric-text-key-for-integer-column" => new Change("pairs", KeyCodec.Encode(["7", new byte[] { 1 }]),
                new RowVersion(NowHlc(), SiteA, false), ["7", new byte[] { 1 }, "v", 1.0], 0),
            "real-key-for-rowid-alias" => new Change("items", KeyCodec.Encode([1.0]), new RowVersion(NowHlc(), SiteA, false), [1.0, "v"], 0),
            "null-key-part" => new Change("pairs", KeyCodec.Encode([null, new byte[] { 1 }]),
                new RowVersion(NowHlc(), SiteA, false), [null, new byte[] { 1 }, "v", 1.0], 0),
            "null-key-part-delete" => new Change("pairs", KeyCodec.Encode([1L, null]), new RowVersion(NowHlc(), SiteA, true), null, 0),
            _ => good,
        };
        IReadOnlyList<Change> batch = kind == "oversize"
            ? Enumerable.Range(0, 51).Select(i => Kv("k" + i, 1L, NowHlc(), SiteA)).ToArray()
            : [Kv("c", "also-fine", NowHlc(), SiteA), bad];
        if (kind == "constraint")
        {
            // pairs.b is NOT NULL, but the key says x'01': make the key match so only the constraint fails.
            batch = [batch[0], bad with { Values = [1L, new byte[] { 1 }, "v", 1.0], Key = KeyCodec.Encode([1L, new byte[] { 1 }]) }];
            r.App.Execute("CREATE TRIGGER fail_insert BEFORE INSERT ON pairs BEGIN SELECT RAISE(ABORT, 'constraint: refused'); END");
        }

        var ex = Assert.Throws<ChangeRejectedException>(() => r.Store.ApplyBatch(batch, "peer", "after"));
        Assert.StartsWith(field + ":", ex.Message, StringComparison.Ordinal);
        Assert.False(ex.IsTransient);

        Assert.Equal(dataBefore.Select(Flatten), r.Rows("kv").Select(Flatten));
        var versionsAfter = r.Store.ReadChanges(0, 100);
        Assert.Equal(versionsBefore.MaxSeq, versionsAfter.MaxSeq);
        Assert.Equal(versionsBefore.Changes.Select(c => c.Version), versionsAfter.Changes.Select(c => c.Version));
        Assert.Equal("before", r.Store.ReadCursor("peer"));
        Assert.Equal(0L, r.App.Scalar("SELECT applying FROM __repl_state"));
        Assert.True(r.Store.Merkle.Verify());
    }

    [Fact]
    public void ReadRows_UnknownTableOrMalformedKey_IsRejected()
    {
        Assert.StartsWith("table:", Assert.Throws<ChangeRejectedException>(() => r.Store.ReadRows("nope", [])).Message, StringComparison.Ordinal);
        Assert.StartsWith("keys[0]:", Assert.Throws<ChangeRejectedException>(() => r.Store.ReadRows("kv", [[9]])).Message, StringComparison.Ordinal);
    }

    private static string Flatten(object?[] row) => string.Join("|", row.Select(v => v is byte[] b ? Convert.ToHexString(b) : $"{v?.GetType().Name}:{v}"));
}
