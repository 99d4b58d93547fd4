using K8sReplication.Contracts.Config;

namespace K8sReplication.Contracts.Tests.Config;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("5s", 5000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("0s", 0)]
    public void TryParse_ValidDuration_ReturnsMilliseconds(string text, long expectedMs)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(expectedMs, (long)value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("-5s")]
    [InlineData("5x")]
    [InlineData("s")]
    [InlineData("1.5s")]
    [InlineData("99999999999999999999s")]
    [InlineData(null)]
    public void TryParse_InvalidDuration_ReturnsFalse(string? text)
    {
        Assert.False(Durations.TryParse(text, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1500)]
    [InlineData(30_000)]
    [InlineData(90_000)]
    [InlineData(7_200_000)]
    public void Format_ThenParse_RoundTrips(long ms)
    {
        var text = Durations.Format(TimeSpan.FromMilliseconds(ms));

        Assert.True(Durations.TryParse(text, out var back));
        Assert.Equal(ms, (long)back.TotalMilliseconds);
    }
}
