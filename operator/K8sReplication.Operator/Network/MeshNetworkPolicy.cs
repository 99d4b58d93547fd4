using k8s.Models;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Network;

/// <summary>
/// The NetworkPolicy the operator keeps for a mesh (pure). It selects the mesh's pods and admits their replication
/// port from the mesh's own pods and the operator only. Ingress policies add up: a port one admits cannot be taken
/// away by another, and a pod one selects is closed on every port no policy admits. So the policy also says what
/// happens to the pods' other ports: with <see cref="OtherPortsPolicy.Open"/> it admits every other port (TCP, UDP,
/// SCTP) from anywhere, so selecting the pods changes nothing but the replication port; with
/// <see cref="OtherPortsPolicy.Closed"/> it admits only the admin port from the operator and leaves the rest to the
/// user's own policies.
/// </summary>
internal static class MeshNetworkPolicy
{
    private const int HighestPort = 65535;

    /// <summary>The label the API server puts on every namespace, with its name.</summary>
    private const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    /// <summary>The pods of <paramref name="pods"/> the mesh's policy selects: its namespace's pods matching its selector, in any phase.</summary>
    public static IReadOnlyList<V1Pod> Selected(ReplicationMesh mesh, IEnumerable<V1Pod> pods) =>
        [.. pods.Where(p => p.Metadata.NamespaceProperty == mesh.Metadata.NamespaceProperty
            && SelectorMatcher.Matches(mesh.Spec?.Selector, MemberDiscovery.Labels(p)))];

    /// <summary>The policy for <paramref name="mesh"/>, given the pods of its namespace.</summary>
    public static V1NetworkPolicy Build(ReplicationMesh mesh, IEnumerable<V1Pod> pods, NetworkPolicyOptions options)
    {
        var spec = mesh.Spec ?? new ReplicationMeshSpec();
        var (replication, admin) = Ports(spec, Selected(mesh, pods));
        var operatorPeer = OperatorPeer(options);
        var replicationFrom = new List<V1NetworkPolicyPeer> { new() { PodSelector = Selector(spec.Selector) } };
        if (operatorPeer is not null)
        {
            replicationFrom.Add(operatorPeer);
        }

        var rules = new List<V1NetworkPolicyIngressRule>
        {
            new() { FromProperty = replicationFrom, Ports = [.. replication.Select(p => Port("TCP", p, p))] },
        };
        if ((spec.NetworkPolicy?.OtherPorts ?? OtherPortsPolicy.Open) == OtherPortsPolicy.Open)
        {
            rules.Add(new V1NetworkPolicyIngressRule
            {
                Ports =
                [
                    .. Complement(replication).Select(r => Port("TCP", r.First, r.Last)),
                    Port("UDP", 1, HighestPort),
                    Port("SCTP", 1, HighestPort),
                ],
            });
        }
        else
        {
            // Without a known operator pod the admin port cannot be narrowed to it: an operator outside the cluster
            // is no pod a policy can name, and it must still push configuration and read status.
            rules.Add(new V1NetworkPolicyIngressRule
            {
                FromProperty = operatorPeer is null ? null : [operatorPeer],
                Ports = [.. admin.Select(p => Port("TCP", p, p))],
            });
        }

        return new V1NetworkPolicy
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "NetworkPolicy",
            Metadata = MeshResource.OwnedMetadata(mesh, MeshResource.NetworkPolicyName(mesh.Metadata.Name)),
            Spec = new V1NetworkPolicySpec
            {
                PodSelector = Selector(spec.Selector),
                PolicyTypes = ["Ingress"],
                Ingress = rules,
            },
        };
    }

    /// <summary>
    /// The replication and admin ports of the mesh's pods (each distinct number once, ascending); the spec's (or the
    /// default) when no pod exists yet.
    /// </summary>
    public static (IReadOnlyList<int> Replication, IReadOnlyList<int> Admin) Ports(ReplicationMeshSpec spec, IEnumerable<V1Pod> members)
    {
        var ports = members.Select(p => MemberDiscovery.Ports(spec, p)).ToList();
        if (ports.Count == 0)
        {
            ports.Add((spec.ReplicationPort ?? Contracts.WellKnown.ReplicationPort, spec.AdminPort ?? Contracts.WellKnown.AdminPort));
        }

        return ([.. ports.Select(p => p.Replication).Distinct().Order()], [.. ports.Select(p => p.Admin).Distinct().Order()]);
    }

    /// <summary>The port ranges of 1..65535 not in <paramref name="excluded"/> (ascending, distinct).</summary>
    public static IReadOnlyList<(int First, int Last)> Complement(IReadOnlyList<int> excluded)
    {
        var ranges = new List<(int, int)>();
        var next = 1;
        foreach (var port in excluded)
        {
            if (port > next)
            {
                ranges.Add((next, port - 1));
            }

            next = port + 1;
        }

        if (next <= HighestPort)
        {
            ranges.Add((next, HighestPort));
        }

        return ranges;
    }

    /// <summary>
    /// The other ingress policies of the namespace that select at least one of <paramref name="pods"/>: they isolate
    /// those pods, so an Open policy would admit more than they do. Sorted by name.
    /// </summary>
    public static IReadOnlyList<string> Isolating(IEnumerable<V1NetworkPolicy> policies, string ownName, IReadOnlyList<V1Pod> pods) =>
        [.. policies
            .Where(p => p.Metadata.Name != ownName && AppliesToIngress(p.Spec))
            .Where(p => pods.Any(pod => SelectorMatcher.MatchesApiSelector(p.Spec!.PodSelector ?? new V1LabelSelector(), MemberDiscovery.Labels(pod))))
            .Select(p => p.Metadata.Name!)
            .Order(StringComparer.Ordinal)];

    /// <summary>A policy without policyTypes governs ingress (and egress only when it has egress rules).</summary>
    private static bool AppliesToIngress(V1NetworkPolicySpec? spec) =>
        spec is not null && (spec.PolicyTypes is not { Count: > 0 } types || types.Contains("Ingress", StringComparer.Ordinal));

    private static V1NetworkPolicyPeer? OperatorPeer(NetworkPolicyOptions options) => options.KnowsOperator
        ? new V1NetworkPolicyPeer
        {
            NamespaceSelector = new V1LabelSelector
            {
                MatchLabels = new Dictionary<string, string>(StringComparer.Ordinal) { [NamespaceNameLabel] = options.OperatorNamespace! },
            },
            PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(options.OperatorLabels, StringComparer.Ordinal) },
        }
        : null;

    private static V1NetworkPolicyPort Port(string protocol, int first, int last) => new()
    {
        Protocol = protocol,
        Port = first,
        EndPort = last > first ? last : null,
    };

    private static V1LabelSelector Selector(LabelSelector selector) => new()
    {
        MatchLabels = selector.MatchLabels is { Count: > 0 } labels ? new Dictionary<string, string>(labels, StringComparer.Ordinal) : null,
        MatchExpressions = selector.MatchExpressions is { Count: > 0 } expressions
            ? [.. expressions.Select(e => new V1LabelSelectorRequirement
            {
                Key = e.Key,
                OperatorProperty = e.Operator.ToString(),
                Values = e.Values is { Count: > 0 } values ? [.. values] : null,
            })]
            : null,
    };

}
