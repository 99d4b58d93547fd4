using K8sReplication.Sidecar.Wire;

namespace K8sReplication.Sidecar.Tests.Wire;

/// <summary>The compact format's primitives: varints in shortest form, counts bounded by the bytes left, salted digests.</summary>
public sealed class CompactReaderTests
{
    [Theory]
    [InlineData(0UL)]
    [InlineData(127UL)]
    [InlineData(128UL)]
    [InlineData(16_383UL)]
    [InlineData(16_384UL)]
    [InlineData(ulong.MaxValue)]
    public void VarUInt64_RoundTrips(ulong value)
    {
        var w = new CompactWriter();
        w.VarUInt64(value);
        var bytes = w.ToArray();
        var reader = new CompactReader(bytes);
        Assert.Equal(value, reader.VarUInt64("v"));
        reader.End("v");
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x00 })] // not the shortest form
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02 })] // past 64 bits
    [InlineData(new byte[] { 0x80, 0x80 })] // cut short
    public void VarUInt64_BrokenEncodings_AreRefused(byte[] bytes)
    {
        Assert.Throws<FormatException>(() => new CompactReader(bytes).VarUInt64("v"));
    }

    [Fact]
    public void Count_LargerThanTheBytesLeftCanHold_IsRefused()
    {
        var w = new CompactWriter();
        w.VarInt(1000);
        w.Bytes(new byte[10]);
        Assert.Throws<FormatException>(() => new CompactReader(w.ToArray()).Count(int.MaxValue, 4, "n"));
        Assert.Equal(1000, new CompactReader(w.ToArray()).VarInt(1000, "n"));
        Assert.Throws<FormatException>(() => new CompactReader(w.ToArray()).VarInt(999, "n"));
    }

    [Fact]
    public void SaltedDigest_EqualDigestsAgree_AndAFreshSaltGivesOtherValues()
    {
        var digest = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        var other = (byte[])digest.Clone();
        other[15] ^= 1;
        byte[] salt1 = [1, 2, 3, 4, 5, 6, 7, 8];
        byte[] salt2 = [8, 7, 6, 5, 4, 3, 2, 1];
        Assert.Equal(SaltedDigest.Of(salt1, digest, 4), SaltedDigest.Of(salt1, (byte[])digest.Clone(), 4));
        Assert.NotEqual(SaltedDigest.Of(salt1, digest, 4), SaltedDigest.Of(salt1, other, 4));
        Assert.NotEqual(SaltedDigest.Of(salt1, digest, 8), SaltedDigest.Of(salt2, digest, 8));
        Assert.True(SaltedDigest.Of(salt1, digest, 4) <= uint.MaxValue);
    }
}
