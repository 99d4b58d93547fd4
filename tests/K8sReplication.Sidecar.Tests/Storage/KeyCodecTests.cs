using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Tests.Storage;

public sealed class KeyCodecTests
{
    [Fact]
    public void Encoding_IsTypePreserving_AndRoundTrips()
    {
        object?[][] keys = [[1L], [1.0], ["1"], [new byte[] { 0x31 }], [null], [-5L, "x", 2.5, Array.Empty<byte>(), null]];
        var encoded = keys.Select(k => Convert.ToHexString(KeyCodec.Encode(k))).ToList();
        Assert.Equal(encoded.Count, encoded.Distinct().Count());
        foreach (var key in keys)
        {
            var decoded = KeyCodec.Decode(KeyCodec.Encode(key));
            Assert.Equal(key.Length, decoded.Count);
            Assert.Equal(key.Select(v => v?.GetType()), decoded.Select(v => v?.GetType()));
            Assert.Equal(KeyCodec.Encode(key), KeyCodec.Encode(decoded));
        }

        Assert.Equal(KeyCodec.Encode([0.0]), KeyCodec.Encode([-0.0]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("09")]
    [InlineData("0100")]
    [InlineData("0300000005616263")]
    [InlineData("0300000001ff")]
    public void MalformedKeys_AreRejected(string hex) =>
        Assert.Throws<FormatException>(() => KeyCodec.Decode(Convert.FromHexString(hex)));

    [Fact]
    public void UnsupportedValueTypes_AreRejected() =>
        Assert.Throws<ArgumentException>(() => KeyCodec.Encode([42]));
}
