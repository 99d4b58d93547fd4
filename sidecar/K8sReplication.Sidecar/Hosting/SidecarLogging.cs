using Microsoft.Extensions.Logging.Console;

namespace K8sReplication.Sidecar.Hosting;

/// <summary>Logs go to stderr: stdout carries only machine-readable event lines (the "listening" line).</summary>
internal static class SidecarLogging
{
    public static void Configure(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("System.Net.Http", LogLevel.Warning);
    }

    public static ILoggerFactory CreateFactory() => LoggerFactory.Create(Configure);
}
