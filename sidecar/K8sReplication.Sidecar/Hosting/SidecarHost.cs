using K8sReplication.Sidecar.Configuration;

namespace K8sReplication.Sidecar.Hosting;

/// <summary>Builds and runs the web host: replication and admin listeners, engine loops, shutdown.</summary>
internal static class SidecarHost
{
    public static Task<int> RunAsync(LiveConfig config, CancellationToken cancellationToken)
    {
        _ = config;
        _ = cancellationToken;
        return Task.FromResult(Program.StartFailedExitCode);
    }
}
