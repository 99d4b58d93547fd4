using Microsoft.Extensions.Logging;

namespace K8sReplication.Observability.Logging;

/// <summary>The one console logging setup the sidecar and the operator share.</summary>
public static class ConsoleLoggingExtensions
{
    private const string TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";

    /// <summary>Replaces every logging provider with a console logger in <paramref name="format"/>, timestamps in UTC.</summary>
    public static ILoggingBuilder AddReplicationConsole(this ILoggingBuilder builder, ConsoleLogFormat format)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.ClearProviders();
        if (format == ConsoleLogFormat.Json)
        {
            builder.AddJsonConsole(options =>
            {
                options.IncludeScopes = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            builder.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.IncludeScopes = false;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = TimestampFormat;
            });
        }

        return builder;
    }

    /// <summary>
    /// Reads a format setting such as an environment variable's value: <c>simple</c> or <c>json</c>
    /// (any case); null or empty means <see cref="ConsoleLogFormat.Simple"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The value is neither; the message names <paramref name="settingName"/>.</exception>
    public static ConsoleLogFormat ParseFormat(string? value, string settingName)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim().Equals("simple", StringComparison.OrdinalIgnoreCase))
        {
            return ConsoleLogFormat.Simple;
        }

        if (value.Trim().Equals("json", StringComparison.OrdinalIgnoreCase))
        {
            return ConsoleLogFormat.Json;
        }

        throw new ArgumentException($"{settingName} must be 'simple' or 'json' (was '{value}').", nameof(value));
    }
}
