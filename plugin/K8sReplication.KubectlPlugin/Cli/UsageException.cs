namespace K8sReplication.KubectlPlugin.Cli;

/// <summary>The command line is wrong (exit code 2, usage shown).</summary>
internal sealed class UsageException(string message) : Exception(message);
