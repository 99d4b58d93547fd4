using System.Text.Json;
using K8sReplication.Contracts.Wire;

namespace K8sReplication.Sidecar.Tests.Configuration;

public sealed class WireValueTests
{
    [Fact]
    public void Values_RoundTripExactly_KeepingIntegerRealTextBlobAndNullApart()
    {
        var change = new WireChange { Table = "t", Key = [1, 2], Hlc = 42, Site = "ab", Values = [1L, 1.0, "1", new byte[] { 1 }, null, double.PositiveInfinity, 0.1, long.MinValue] };
        var json = JsonSerializer.Serialize(change, WireJsonContext.Default.WireChange);
        var back = JsonSerializer.Deserialize(json, WireJsonContext.Default.WireChange)!;
        Assert.Equal(8, back.Values!.Count);
        Assert.IsType<long>(back.Values[0]);
        Assert.IsType<double>(back.Values[1]);
        Assert.Equal("1", back.Values[2]);
        Assert.Equal(new byte[] { 1 }, back.Values[3]);
        Assert.Null(back.Values[4]);
        Assert.Equal(double.PositiveInfinity, back.Values[5]);
        Assert.Equal(0.1, back.Values[6]);
        Assert.Equal(long.MinValue, back.Values[7]);
    }

    [Theory]
    [InlineData("[1.5]")]
    [InlineData("[true]")]
    [InlineData("[{\"x\":\"1\"}]")]
    [InlineData("[{\"b\":\"***\"}]")]
    public void MalformedValues_AreRejected(string values) =>
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize("{\"t\":\"t\",\"k\":\"AQ==\",\"h\":1,\"s\":\"ab\",\"v\":" + values + "}", WireJsonContext.Default.WireChange));
}
