using K8sReplication.Sidecar.Backup;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Hosting;

namespace K8sReplication.Sidecar;

internal static class Program
{
    /// <summary>Exit code for invalid flags or config.</summary>
    public const int InvalidConfigExitCode = 2;

    /// <summary>Exit code for an unrecoverable start-up failure (database cannot be opened, port in use).</summary>
    public const int StartFailedExitCode = 1;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == RestoreCommand.Name)
        {
            return await RestoreCommand.RunAsync(args[1..], Console.Out, Console.Error, CancellationToken.None);
        }

        using var loggerFactory = SidecarLogging.CreateFactory();
        LiveConfig config;
        try
        {
            config = LiveConfig.Load(args, Environment.GetEnvironmentVariable, loggerFactory.CreateLogger("K8sReplication.Sidecar.Config"));
        }
        catch (ConfigRejectedException e)
        {
            await ReportAsync(e);
            return InvalidConfigExitCode;
        }

        try
        {
            return await SidecarHost.RunAsync(config, CancellationToken.None);
        }
        catch (ConfigRejectedException e)
        {
            // Files the config names that cannot be used (the TLS files): found before anything started.
            await ReportAsync(e);
            return InvalidConfigExitCode;
        }
    }

    private static async Task ReportAsync(ConfigRejectedException rejected)
    {
        foreach (var error in rejected.Errors)
        {
            await Console.Error.WriteLineAsync($"k8srepl-sidecar: invalid configuration: {error.Key}: {error.Message}");
        }
    }
}
