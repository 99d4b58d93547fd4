using K8sReplication.Contracts.Config;

namespace K8sReplication.Sidecar.Configuration;

/// <summary>What one start-up source (flags or environment) set: the config file to read and config fields.</summary>
internal sealed record StartupArguments(string? ConfigFile, SidecarConfig Config);
