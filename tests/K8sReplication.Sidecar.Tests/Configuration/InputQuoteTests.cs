using K8sReplication.Sidecar.Configuration;

namespace K8sReplication.Sidecar.Tests.Configuration;

public sealed class InputQuoteTests
{
    [Fact]
    public void ShortPrintableInput_IsQuotedAsIs()
    {
        Assert.Equal("'notes-0'", InputQuote.Quote("notes-0"));
        Assert.Equal("''", InputQuote.Quote(null));
    }

    [Fact]
    public void LongInput_IsCutToAHundredCharacters_AndSaysHowLongItWas()
    {
        var quoted = InputQuote.Quote(new string('n', 500_000));
        Assert.StartsWith("'" + new string('n', InputQuote.MaxQuotedChars) + "…(500000 chars)'", quoted, StringComparison.Ordinal);
        Assert.Equal(InputQuote.MaxQuotedChars + "''…(500000 chars)".Length, quoted.Length);
    }

    [Theory]
    [InlineData("a\u001b[31mb", "a\\u001b[31mb")]
    [InlineData("a\nb\rc\td", "a\\u000ab\\u000dc\\u0009d")]
    [InlineData("a\u009bb\u007f", "a\\u009bb\\u007f")]
    [InlineData("a\u202eb", "a\\u202eb")]
    [InlineData("é ü 中", "é ü 中")]
    public void ControlAndFormatCharacters_AreEscaped(string input, string expected)
    {
        Assert.Equal("'" + expected + "'", InputQuote.Quote(input));
    }

    [Fact]
    public void LongThirdPartyMessages_KeepTheirStartAndEnd()
    {
        var message = "The JSON property '" + new string('x', 100_000) + "' could not be mapped to any .NET member contained in type 'SidecarConfig'.";
        var abridged = InputQuote.Abridge(message);
        Assert.StartsWith("The JSON property 'xxx", abridged, StringComparison.Ordinal);
        Assert.EndsWith("' could not be mapped to any .NET member contained in type 'SidecarConfig'.", abridged, StringComparison.Ordinal);
        Assert.True(abridged.Length <= 201, $"{abridged.Length} characters");
        Assert.Equal(@"short\u001b", InputQuote.Abridge("short\u001b"));
    }

    [Fact]
    public void ConfigErrors_CleanTheirKeyAndMessage_WhoeverBuiltThem()
    {
        var error = new ConfigError("peerz\u001b" + new string('k', 10_000), "bad\n" + new string('m', 10_000));
        Assert.DoesNotContain(error.Key + error.Message, char.IsControl);
        Assert.True(error.Key.Length < 130);
        Assert.True(error.Message.Length < 600);
    }
}
