using K8sReplication.Observability.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace K8sReplication.Observability.Tests.Logging;

public sealed class ConsoleLoggingExtensionsTests
{
    [Theory]
    [InlineData(null, ConsoleLogFormat.Simple)]
    [InlineData("", ConsoleLogFormat.Simple)]
    [InlineData("simple", ConsoleLogFormat.Simple)]
    [InlineData(" JSON ", ConsoleLogFormat.Json)]
    public void ParseFormat_AcceptsSimpleAndJson(string? value, ConsoleLogFormat expected)
    {
        Assert.Equal(expected, ConsoleLoggingExtensions.ParseFormat(value, "K8SREPL_LOG_FORMAT"));
    }

    [Fact]
    public void ParseFormat_RejectsAnythingElse_NamingTheSetting()
    {
        var error = Assert.Throws<ArgumentException>(() => ConsoleLoggingExtensions.ParseFormat("xml", "K8SREPL_LOG_FORMAT"));
        Assert.Contains("K8SREPL_LOG_FORMAT", error.Message, StringComparison.Ordinal);
        Assert.Contains("xml", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ConsoleLogFormat.Simple, ConsoleFormatterNames.Simple)]
    [InlineData(ConsoleLogFormat.Json, ConsoleFormatterNames.Json)]
    public void AddReplicationConsole_InstallsOnlyTheConsoleProviderWithTheChosenFormatter(ConsoleLogFormat format, string formatter)
    {
        using var services = new ServiceCollection()
            .AddLogging(builder => builder.AddDebug().AddReplicationConsole(format))
            .BuildServiceProvider();

        var provider = Assert.Single(services.GetServices<ILoggerProvider>());
        Assert.IsType<ConsoleLoggerProvider>(provider);
        Assert.Equal(formatter, services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
        if (format == ConsoleLogFormat.Simple)
        {
            var simple = services.GetRequiredService<IOptionsMonitor<SimpleConsoleFormatterOptions>>().CurrentValue;
            Assert.True(simple.SingleLine);
            Assert.True(simple.UseUtcTimestamp);
        }
        else
        {
            var json = services.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>().CurrentValue;
            Assert.True(json.UseUtcTimestamp);
            Assert.True(json.IncludeScopes);
        }
    }
}
