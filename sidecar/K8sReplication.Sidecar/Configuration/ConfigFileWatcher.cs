namespace K8sReplication.Sidecar.Configuration;

/// <summary>
/// Re-reads the config file every poll interval; <see cref="LiveConfig.ReloadFile"/> ignores unchanged content.
/// Polling rather than file-system notifications: a mounted ConfigMap is swapped through symlinks, which
/// notifications report unreliably, and the file is small.
/// </summary>
internal sealed class ConfigFileWatcher(LiveConfig config, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (config.ConfigFile is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(SidecarDefaults.ConfigFilePollInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            config.ReloadFile();
        }
    }
}
