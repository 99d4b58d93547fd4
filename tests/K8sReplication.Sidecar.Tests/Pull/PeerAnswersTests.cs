using K8sReplication.Contracts.Wire;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Tests.Pull;

/// <summary>Every decoded peer answer is checked before use; each refusal carries the reason the metric counts.</summary>
public sealed class PeerAnswersTests
{
    private const string Site = "0000000000000000000000000000000a";
    private const long MaxRow = 1 << 20;

    private static WireChange Change(long seq, string key = "a") => new()
    {
        Table = "kv",
        Key = KeyCodec.Encode([key]),
        Hlc = 1L << 20,
        Site = Site,
        Values = [key, "v"],
        Seq = seq,
    };

    private static ChangesResponse Feed(params WireChange[] changes) => new()
    {
        Site = Site,
        LastSeq = changes.Length == 0 ? 10 : changes[^1].Seq,
        MaxSeq = 20,
        Changes = changes,
    };

    [Fact]
    public void Feed_ValidAnswer_BecomesChanges()
    {
        var changes = CheckFeed(Feed(Change(11), Change(12, "b")), after: 10, limit: 5, MaxRow);
        Assert.Equal([11L, 12L], changes.Select(c => c.Seq));
        Assert.Equal(SiteId.Parse(Site), changes[0].Version.Site);
    }

    public static TheoryData<string, string> BadFeeds() => new()
    {
        { "null-changes", RejectReason.Malformed },
        { "null-entry", RejectReason.Malformed },
        { "null-key", RejectReason.Malformed },
        { "null-table", RejectReason.Malformed },
        { "live-without-values", RejectReason.Malformed },
        { "bad-site", RejectReason.Invalid },
        { "bad-answer-site", RejectReason.Invalid },
        { "zero-hlc", RejectReason.Invalid },
        { "more-than-limit", RejectReason.Invalid },
        { "seq-not-increasing", RejectReason.Invalid },
        { "seq-not-after-cursor", RejectReason.Invalid },
        { "seq-after-lastseq", RejectReason.Invalid },
        { "lastseq-before-after", RejectReason.Invalid },
        { "lastseq-beyond-maxseq", RejectReason.SeqBeyondMax },
        { "row-too-large", RejectReason.TooLarge },
    };

    [Theory]
    [MemberData(nameof(BadFeeds))]
    public void Feed_BadAnswer_IsRefusedWithItsReason(string kind, string reason)
    {
        var good = Change(11);
        var answer = kind switch
        {
            "null-changes" => Feed() with { Changes = null! },
            "null-entry" => Feed(good) with { Changes = [good, null!] },
            "null-key" => Feed(good with { Key = null! }),
            "null-table" => Feed(good with { Table = null! }),
            "live-without-values" => Feed(good with { Values = null }),
            "bad-site" => Feed(good with { Site = "zz" }),
            "bad-answer-site" => Feed(good) with { Site = "nope" },
            "zero-hlc" => Feed(good with { Hlc = 0 }),
            "more-than-limit" => Feed(Change(11), Change(12), Change(13), Change(14)),
            "seq-not-increasing" => Feed(Change(12), Change(11)) with { LastSeq = 12 },
            "seq-not-after-cursor" => Feed(Change(10)),
            "seq-after-lastseq" => Feed(good) with { LastSeq = 10 },
            "lastseq-before-after" => Feed() with { LastSeq = 3 },
            "lastseq-beyond-maxseq" => Feed(good) with { MaxSeq = 5 },
            "row-too-large" => Feed(good with { Values = ["a", new string('x', (int)MaxRow)] }),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var e = Assert.Throws<PeerAnswerRejectedException>(() => CheckFeed(answer, after: 10, limit: 3, MaxRow));
        Assert.Equal(reason, e.Reason);
    }

    [Fact]
    public void Children_ThreeInsteadOfSixteen_IsInvalid()
    {
        var answer = new MerkleNodesResponse { Path = "", Children = ["00000000000000000000000000000000", "00000000000000000000000000000000", "00000000000000000000000000000000"] };
        var e = Assert.Throws<PeerAnswerRejectedException>(() => PeerAnswers.Children(answer, ""));
        Assert.Equal(RejectReason.Invalid, e.Reason);
        Assert.Contains("3 children", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Children_WrongPathOrShortDigest_IsInvalid()
    {
        var sixteen = Enumerable.Repeat("00000000000000000000000000000000", 16).ToList();
        Assert.Equal(16, PeerAnswers.Children(new MerkleNodesResponse { Path = "a", Children = sixteen }, "a").Count);
        Assert.Equal(RejectReason.Invalid, Assert.Throws<PeerAnswerRejectedException>(() =>
            PeerAnswers.Children(new MerkleNodesResponse { Path = "b", Children = sixteen }, "a")).Reason);
        sixteen[3] = "abcd";
        Assert.Equal(RejectReason.Invalid, Assert.Throws<PeerAnswerRejectedException>(() =>
            PeerAnswers.Children(new MerkleNodesResponse { Path = "a", Children = sixteen }, "a")).Reason);
        Assert.Equal(RejectReason.Malformed, Assert.Throws<PeerAnswerRejectedException>(() =>
            PeerAnswers.Children(new MerkleNodesResponse { Path = "a", Children = null! }, "a")).Reason);
    }

    [Fact]
    public void Root_BadDigestOrFanout_IsInvalid()
    {
        var good = new MerkleRootResponse { Site = Site, Root = new string('0', 32), Depth = 2, Fanout = 16 };
        Assert.Equal(16, PeerAnswers.Root(good).Length);
        Assert.Equal(RejectReason.Invalid, Assert.Throws<PeerAnswerRejectedException>(() => PeerAnswers.Root(good with { Root = "xyz" })).Reason);
        Assert.Equal(RejectReason.Invalid, Assert.Throws<PeerAnswerRejectedException>(() => PeerAnswers.Root(good with { Fanout = 4 })).Reason);
    }

    [Fact]
    public void Leaf_WrongLeafOrBrokenEntry_IsRefused()
    {
        var entry = new WireLeafEntry { Table = "kv", Key = KeyCodec.Encode(["a"]), Hlc = 5, Site = Site };
        Assert.Single(PeerAnswers.Leaf(new MerkleLeafResponse { Leaf = 3, Entries = [entry] }, 3));
        Assert.Equal(RejectReason.Invalid, Assert.Throws<PeerAnswerRejectedException>(() =>
            PeerAnswers.Leaf(new MerkleLeafResponse { Leaf = 4, Entries = [entry] }, 3)).Reason);
        Assert.Equal(RejectReason.Malformed, Assert.Throws<PeerAnswerRejectedException>(() =>
            PeerAnswers.Leaf(new MerkleLeafResponse { Leaf = 3, Entries = [entry with { Key = null! }] }, 3)).Reason);
        Assert.Equal(RejectReason.Malformed, Assert.Throws<PeerAnswerRejectedException>(() =>
            PeerAnswers.Leaf(new MerkleLeafResponse { Leaf = 3, Entries = [null!] }, 3)).Reason);
    }

    [Fact]
    public void Rows_OnlyTheKeysAskedFor_OfTheTableAskedFor()
    {
        byte[] a = KeyCodec.Encode(["a"]);
        byte[] b = KeyCodec.Encode(["b"]);
        var row = Change(0) with { Key = a };
        Assert.Single(PeerAnswers.Rows(new RowsResponse { Changes = [row] }, "kv", [a, b], MaxRow));
        Assert.Equal(RejectReason.Invalid, Assert.Throws<PeerAnswerRejectedException>(() =>
            PeerAnswers.Rows(new RowsResponse { Changes = [row] }, "kv", [b], MaxRow)).Reason);
        Assert.Equal(RejectReason.Invalid, Assert.Throws<PeerAnswerRejectedException>(() =>
            PeerAnswers.Rows(new RowsResponse { Changes = [row] }, "other", [a], MaxRow)).Reason);
        Assert.Equal(RejectReason.Invalid, Assert.Throws<PeerAnswerRejectedException>(() =>
            PeerAnswers.Rows(new RowsResponse { Changes = [row, row] }, "kv", [a, b], MaxRow)).Reason);
    }

    [Fact]
    public void Schema_BadHashOrSite_IsRefused()
    {
        var good = new SchemaResponse { Site = Site, Tables = new Dictionary<string, string> { ["kv"] = new string('a', 32) } };
        Assert.Equal(SiteId.Parse(Site), PeerAnswers.Schema(good).Site);
        Assert.Equal(RejectReason.Invalid, Assert.Throws<PeerAnswerRejectedException>(() =>
            PeerAnswers.Schema(good with { Tables = new Dictionary<string, string> { ["kv"] = "short" } })).Reason);
        Assert.Equal(RejectReason.Invalid, Assert.Throws<PeerAnswerRejectedException>(() => PeerAnswers.Schema(good with { Site = "x" })).Reason);
        Assert.Equal(RejectReason.Malformed, Assert.Throws<PeerAnswerRejectedException>(() => PeerAnswers.Schema(good with { Tables = null! })).Reason);
    }

    /// <summary>A JSON feed answer through the checks a tailer applies: each change, then the page.</summary>
    private static List<Change> CheckFeed(ChangesResponse? answer, long after, int limit, long maxRowBytes)
    {
        var changes = PeerAnswers.FeedChanges(answer);
        PeerAnswers.Page(changes, answer!.LastSeq, answer.MaxSeq, after, limit, maxRowBytes);
        return changes;
    }
}
