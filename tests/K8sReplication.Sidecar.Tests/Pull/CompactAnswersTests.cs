using System.Text;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Serve;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Wire;

namespace K8sReplication.Sidecar.Tests.Pull;

/// <summary>Compact anti-entropy answers are checked whole before use; each refusal carries the reason the metric counts.</summary>
public sealed class CompactAnswersTests
{
    internal const int Depth = 4;
    internal const long MaxRow = 1 << 20;
    private const int Width = 4;
    private static readonly SiteId Site = SiteId.Parse("0000000000000000000000000000000a");

    internal static Change Row(string key, string value = "v", bool deleted = false) =>
        new("kv", KeyCodec.Encode([key]), new RowVersion(1L << 20, Site, deleted), deleted ? null : [key, value, 7L, 1.5, new byte[] { 1, 2 }, null], 0);

    internal static int LeafOf(Change row) =>
        (int)(RowDigest.Locate(Encoding.UTF8.GetBytes(row.Table), row.Key).Bucket >> (32 - (4 * Depth)));

    private static byte[] Nodes(int count, int width = Width, byte version = CompactFormat.Version, int digests = MerkleTree.Fanout)
    {
        var w = new CompactWriter();
        w.Byte(version);
        w.Byte((byte)width);
        w.VarInt(count);
        for (var i = 0; i < count * digests; i++)
        {
            w.Fingerprint((ulong)i, width);
        }

        return w.ToArray();
    }

    [Fact]
    public void Nodes_ValidAnswer_GivesSixteenDigestsPerParent()
    {
        var children = CompactAnswers.Nodes(Nodes(2), Width, parents: 2);
        Assert.Equal(32, children.Length);
        Assert.Equal(17UL, children[17]);
    }

    public static TheoryData<string, string> BadNodes() => new()
    {
        { "wrong count", RejectReason.Invalid },
        { "wrong width", RejectReason.Invalid },
        { "wrong version", RejectReason.Invalid },
        { "missing digests", RejectReason.Malformed },
        { "trailing bytes", RejectReason.Malformed },
        { "empty", RejectReason.Malformed },
    };

    [Theory]
    [MemberData(nameof(BadNodes))]
    public void Nodes_BrokenAnswer_IsRefused(string what, string reason)
    {
        var answer = what switch
        {
            "wrong count" => Nodes(3),
            "wrong width" => Nodes(2, width: 5),
            "wrong version" => Nodes(2, version: 2),
            "missing digests" => Nodes(2, digests: 15),
            "trailing bytes" => [.. Nodes(2), 0],
            _ => [],
        };
        var e = Assert.Throws<PeerAnswerRejectedException>(() => CompactAnswers.Nodes(answer, Width, parents: 2));
        Assert.Equal(reason, e.Reason);
    }

    [Fact]
    public void Leaves_ValidAnswer_GivesEachLeafsFingerprints_AndRefusesCountsPastTheBytes()
    {
        var w = new CompactWriter();
        w.Byte(CompactFormat.Version);
        w.Byte(Width);
        w.VarInt(2);
        w.VarInt(0);
        w.VarInt(2);
        w.Fingerprint(5, Width);
        w.Fingerprint(6, Width);
        var leaves = CompactAnswers.Leaves(w.ToArray(), Width, leaves: 2);
        Assert.Empty(leaves[0]);
        Assert.Equal([5UL, 6UL], leaves[1]);

        // A count promising more fingerprints than the answer holds is refused before anything is allocated for it.
        var lying = w.ToArray();
        lying[4] = 0x7F;
        Assert.Equal(RejectReason.Malformed, Assert.Throws<PeerAnswerRejectedException>(() => CompactAnswers.Leaves(lying, Width, 2)).Reason);
        Assert.Equal(RejectReason.Invalid, Assert.Throws<PeerAnswerRejectedException>(() => CompactAnswers.Leaves(w.ToArray(), Width, 3)).Reason);
    }

    [Fact]
    public void Rows_ValidAnswer_RoundTrips_WithKeyColumnsSentOnce()
    {
        Change[] rows = [Row("a"), Row("b", deleted: true), Row("c", "a")];
        var answer = CompactRowsEncoder.Encode(rows).ToArray();
        var decoded = CompactAnswers.Rows(answer, rows.Select(LeafOf).ToHashSet(), requested: 3, Depth, MaxRow);
        Assert.Equal(3, decoded.Count);
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal(rows[i].Table, decoded[i].Table);
            Assert.Equal(rows[i].Key, decoded[i].Key);
            Assert.Equal(rows[i].Version, decoded[i].Version);
            Assert.Equal(rows[i].Values, decoded[i].Values);
        }

        // The key column's value travels once, inside the key; the values refer to it (even a second column equal to it).
        var text = "a-long-primary-key-value"u8.ToArray();
        var encoded = CompactRowsEncoder.Encode([Row("a-long-primary-key-value", "a-long-primary-key-value")]).ToArray();
        var occurrences = Enumerable.Range(0, encoded.Length - text.Length + 1).Count(i => encoded.AsSpan(i, text.Length).SequenceEqual(text));
        Assert.Equal(1, occurrences);
    }

    [Fact]
    public void Rows_NotAskedFor_Twice_OrMoreThanRequested_AreInvalid()
    {
        var a = Row("a");
        var b = Row("b");
        var answer = CompactRowsEncoder.Encode([a, b]).ToArray();
        var leaves = new HashSet<int> { LeafOf(a), LeafOf(b) };
        Assert.Equal(RejectReason.Invalid, Refusal(() => CompactAnswers.Rows(answer, leaves, requested: 1, Depth, MaxRow)));
        Assert.Equal(RejectReason.Invalid, Refusal(() => CompactAnswers.Rows(answer, new HashSet<int> { LeafOf(a) == 0 ? 1 : 0 }, 2, Depth, MaxRow)));
        var duplicate = CompactRowsEncoder.Encode([a, a]).ToArray();
        Assert.Equal(RejectReason.Invalid, Refusal(() => CompactAnswers.Rows(duplicate, leaves, 2, Depth, MaxRow)));
    }

    [Fact]
    public void Rows_LargerThanTheRowLimit_IsTooLarge()
    {
        var big = Row("a", new string('x', 5000));
        var answer = CompactRowsEncoder.Encode([big]).ToArray();
        Assert.Equal(RejectReason.TooLarge, Refusal(() => CompactAnswers.Rows(answer, new HashSet<int> { LeafOf(big) }, 1, Depth, maxRowBytes: 4096)));
    }

    public static TheoryData<string, string> BadRows() => new()
    {
        { "undecodable key", RejectReason.Invalid },
        { "zero clock", RejectReason.Invalid },
        { "unknown flags", RejectReason.Malformed },
        { "unknown value tag", RejectReason.Malformed },
        { "key part past the key", RejectReason.Malformed },
        { "table index past the list", RejectReason.Malformed },
        { "invalid UTF-8 text", RejectReason.Malformed },
        { "truncated", RejectReason.Malformed },
    };

    [Theory]
    [MemberData(nameof(BadRows))]
    public void Rows_BrokenRow_IsRefused(string what, string reason)
    {
        var key = what == "undecodable key" ? new byte[] { 9, 9 } : KeyCodec.Encode(["a"]);
        var w = new CompactWriter();
        w.Byte(CompactFormat.Version);
        w.VarInt(1);
        w.VarInt(2);
        w.Bytes("kv"u8);
        w.VarInt(1);
        w.Bytes(new byte[SiteId.Size]);
        w.VarInt(1);
        w.VarInt(what == "table index past the list" ? 1 : 0);
        w.VarInt(key.Length);
        w.Bytes(key);
        w.Int64(what == "zero clock" ? 0 : 1L << 20);
        w.VarInt(0);
        w.Byte(what == "unknown flags" ? (byte)2 : (byte)0);
        w.VarInt(1);
        switch (what)
        {
            case "unknown value tag":
                w.Byte(9);
                break;
            case "key part past the key":
                w.Byte(ValueTag.KeyPart);
                w.VarInt(1);
                break;
            case "invalid UTF-8 text":
                w.Byte(ValueTag.Text);
                w.VarInt(2);
                w.Bytes(new byte[] { 0xC3, 0x28 });
                break;
            default:
                w.Byte(ValueTag.KeyPart);
                w.VarInt(0);
                break;
        }

        var answer = what == "truncated" ? w.ToArray()[..^3] : w.ToArray();
        var leaf = (int)(RowDigest.Locate("kv"u8, key).Bucket >> (32 - (4 * Depth)));
        Assert.Equal(reason, Refusal(() => CompactAnswers.Rows(answer, new HashSet<int> { leaf }, 1, Depth, MaxRow)));
    }

    private static string Refusal(Action decode) => Assert.Throws<PeerAnswerRejectedException>(decode).Reason;
}
