using System.Globalization;
using K8sReplication.Observability.Metrics;

namespace K8sReplication.Observability.Tests.Metrics;

public sealed class PrometheusTextTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("say \"hi\"", "say \\\"hi\\\"")]
    [InlineData("line1\nline2", "line1\\nline2")]
    [InlineData("\\\"\n", "\\\\\\\"\\n")]
    [InlineData("ünïcødé", "ünïcødé")]
    public void EscapeLabelValue_EscapesBackslashQuoteAndNewline(string raw, string expected)
    {
        Assert.Equal(expected, PrometheusText.EscapeLabelValue(raw));
    }

    [Theory]
    [InlineData("plain help", "plain help")]
    [InlineData("C:\\data", "C:\\\\data")]
    [InlineData("first\nsecond", "first\\nsecond")]
    [InlineData("keeps \"quotes\"", "keeps \"quotes\"")]
    public void EscapeHelp_EscapesOnlyBackslashAndNewline(string raw, string expected)
    {
        Assert.Equal(expected, PrometheusText.EscapeHelp(raw));
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0d, "0")]
    [InlineData(42d, "42")]
    [InlineData(-3.5, "-3.5")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-7, "1E-07")]
    [InlineData(1e21, "1E+21")]
    public void FormatDouble_FollowsTheExpositionFormat(double value, string expected)
    {
        Assert.Equal(expected, PrometheusText.FormatDouble(value));
    }

    [Theory]
    [InlineData(0.1 + 0.2)]
    [InlineData(Math.PI)]
    [InlineData(double.Epsilon)]
    [InlineData(double.MaxValue)]
    [InlineData(123456789.123456789)]
    public void FormatDouble_RoundTripsExactly(double value)
    {
        var text = PrometheusText.FormatDouble(value);
        Assert.Equal(value, double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void FormatTagValue_UsesInvariantFormsAndEmptyForNull()
    {
        Assert.Equal("", PrometheusText.FormatTagValue(null));
        Assert.Equal("true", PrometheusText.FormatTagValue(true));
        Assert.Equal("1.5", PrometheusText.FormatTagValue(1.5));
        Assert.Equal("-7", PrometheusText.FormatTagValue(-7L));
        Assert.Equal("x", PrometheusText.FormatTagValue("x"));
    }
}
