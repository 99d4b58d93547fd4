using K8sReplication.Contracts;
using K8sReplication.Contracts.Config;

namespace K8sReplication.Sidecar.Configuration;

/// <summary>Reads the <c>K8SREPL_*</c> variables; each mirrors one flag (<see cref="EnvVars"/>).</summary>
internal static class EnvironmentConfigReader
{
    private static readonly Dictionary<string, string> FlagToVariable = new(StringComparer.Ordinal)
    {
        [CommandLineParser.Database] = EnvVars.Database,
        [CommandLineParser.Tables] = EnvVars.Tables,
        [CommandLineParser.NodeName] = EnvVars.NodeName,
        [CommandLineParser.Listen] = EnvVars.Listen,
        [CommandLineParser.AdminListen] = EnvVars.AdminListen,
        [CommandLineParser.Config] = EnvVars.ConfigFile,
        [CommandLineParser.TokenFile] = EnvVars.TokenFile,
        [CommandLineParser.AntiEntropyInterval] = EnvVars.AntiEntropyInterval,
        [CommandLineParser.StateDir] = EnvVars.StateDir,
        [CommandLineParser.DrainTimeout] = EnvVars.DrainTimeout,
        [CommandLineParser.TombstoneTtl] = EnvVars.TombstoneTtl,
        [CommandLineParser.BackupUrl] = EnvVars.BackupUrl,
        [CommandLineParser.BackupEndpoint] = EnvVars.BackupEndpoint,
        [CommandLineParser.BackupInterval] = EnvVars.BackupInterval,
        [CommandLineParser.SnapshotInterval] = EnvVars.SnapshotInterval,
        [CommandLineParser.BackupRetention] = EnvVars.BackupRetention,
        [CommandLineParser.TlsCert] = EnvVars.TlsCert,
        [CommandLineParser.TlsKey] = EnvVars.TlsKey,
        [CommandLineParser.TlsCa] = EnvVars.TlsCa,
        [CommandLineParser.Transport] = EnvVars.Transport,
        [CommandLineParser.RedisUrl] = EnvVars.RedisUrl,
        [CommandLineParser.RedisPasswordFile] = EnvVars.RedisPasswordFile,
        [CommandLineParser.RedisCaFile] = EnvVars.RedisCaFile,
        [CommandLineParser.RedisKeyPrefix] = EnvVars.RedisKeyPrefix,
        [CommandLineParser.RedisStreamMaxLen] = EnvVars.RedisStreamMaxLen,
    };

    public static StartupArguments Read(Func<string, string?> getVariable, List<ConfigError> errors)
    {
        string? Get(string flag) =>
            FlagToVariable.TryGetValue(flag, out var name) && getVariable(name) is { Length: > 0 } v ? v : null;

        List<PeerConfig>? peers = null;
        if (getVariable(EnvVars.Peers) is { Length: > 0 } list)
        {
            peers = [];
            foreach (var entry in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                peers.Add(CommandLineParser.ParsePeer(EnvVars.Peers, entry, errors));
            }
        }

        return new StartupArguments(Get(CommandLineParser.Config), CommandLineParser.FromValues(Get, peers));
    }
}
