namespace K8sReplication.KubectlPlugin.Cluster;

/// <summary>A failure the user can act on (mesh not found, member unreachable, Secret refused); exit code 1.</summary>
internal sealed class PluginException(string message, Exception? inner = null) : Exception(message, inner);
