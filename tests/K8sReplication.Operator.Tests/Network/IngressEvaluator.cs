using k8s.Models;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Tests.Network;

/// <summary>A connection attempt: from a pod (its namespace and labels, and its namespace's labels) to a port.</summary>
internal sealed record Connection(
    string SourceNamespace, IReadOnlyDictionary<string, string> SourceLabels, string Protocol, int Port)
{
    public IReadOnlyDictionary<string, string> SourceNamespaceLabels =>
        new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = SourceNamespace };
}

/// <summary>
/// Kubernetes ingress NetworkPolicy semantics, written from the API reference for the tests: a pod no ingress policy
/// selects admits everything; a selected pod admits a connection when some rule of some selecting policy admits both
/// its source (no peers: anyone; a podSelector alone: pods of the policy's namespace; a namespaceSelector: pods of the
/// namespaces it matches, narrowed by a podSelector beside it) and its port (no ports: all; a port: that protocol,
/// TCP by default, from port to endPort).
/// </summary>
internal static class IngressEvaluator
{
    public static bool Admits(IEnumerable<V1NetworkPolicy> policies, string podNamespace, IReadOnlyDictionary<string, string> podLabels, Connection connection)
    {
        var selecting = policies
            .Where(p => p.Metadata.NamespaceProperty == podNamespace && Ingress(p.Spec) && Matches(p.Spec.PodSelector, podLabels))
            .ToList();
        return selecting.Count == 0 || selecting.Any(p => (p.Spec.Ingress ?? []).Any(r => FromMatches(p, r, connection) && PortMatches(r, connection)));
    }

    private static bool Ingress(V1NetworkPolicySpec spec) => spec.PolicyTypes is not { Count: > 0 } types || types.Contains("Ingress");

    private static bool FromMatches(V1NetworkPolicy policy, V1NetworkPolicyIngressRule rule, Connection c) =>
        rule.FromProperty is not { Count: > 0 } peers || peers.Any(peer => peer.IpBlock is null && (peer.NamespaceSelector is null
            ? c.SourceNamespace == policy.Metadata.NamespaceProperty && Matches(peer.PodSelector, c.SourceLabels)
            : Matches(peer.NamespaceSelector, c.SourceNamespaceLabels) && (peer.PodSelector is null || Matches(peer.PodSelector, c.SourceLabels))));

    private static bool PortMatches(V1NetworkPolicyIngressRule rule, Connection c) =>
        rule.Ports is not { Count: > 0 } ports || ports.Any(p =>
            (p.Protocol ?? "TCP") == c.Protocol
            && (p.Port is null || (p.Port.ToInt() <= c.Port && c.Port <= (p.EndPort ?? p.Port.ToInt()))));

    private static bool Matches(V1LabelSelector? selector, IReadOnlyDictionary<string, string> labels) =>
        SelectorMatcher.MatchesApiSelector(selector ?? new V1LabelSelector(), labels);
}
