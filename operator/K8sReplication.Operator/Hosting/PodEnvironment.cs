using K8sReplication.Contracts;

namespace K8sReplication.Operator.Hosting;

/// <summary>What the operator's own pod tells it through the downward API (the chart sets it).</summary>
internal static class PodEnvironment
{
    /// <summary>The namespace the operator's pod runs in (<c>POD_NAMESPACE</c>), or null outside such a pod.</summary>
    public static string? Namespace => Environment.GetEnvironmentVariable(WellKnown.PodNamespaceEnv) is { Length: > 0 } own ? own : null;
}
