using k8s.Models;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Operator.Mesh;
using K8sReplication.Operator.Network;

namespace K8sReplication.Operator.Tests.Network;

public sealed class MeshNetworkPolicyTests
{
    private const string Ns = "shop";
    private static readonly Dictionary<string, string> Member = new() { ["app"] = "db", ["tier"] = "data" };
    private static readonly Dictionary<string, string> Stranger = new() { ["app"] = "web" };
    private static readonly Dictionary<string, string> OperatorLabels = new() { ["app.kubernetes.io/name"] = "k8s-replication" };

    private static readonly NetworkPolicyOptions KnownOperator = new() { OperatorNamespace = "k8srepl-system", OperatorLabels = OperatorLabels };

    private static ReplicationMesh Mesh(OtherPortsPolicy? otherPorts = null, int? replicationPort = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "orders", NamespaceProperty = Ns, Uid = "uid-1" },
        Spec = new ReplicationMeshSpec
        {
            Selector = new Contracts.Mesh.LabelSelector
            {
                MatchLabels = new Dictionary<string, string> { ["app"] = "db" },
                MatchExpressions = [new LabelSelectorRequirement { Key = "tier", Operator = SelectorOperator.In, Values = ["data"] }],
            },
            ReplicationPort = replicationPort,
            NetworkPolicy = otherPorts is null ? null : new NetworkPolicySpec { OtherPorts = otherPorts },
        },
    };

    private static V1Pod Pod(string name, int? replication = null, int? admin = null, string ns = Ns, Dictionary<string, string>? labels = null)
    {
        var ports = new List<V1ContainerPort>();
        if (replication is { } r)
        {
            ports.Add(new V1ContainerPort { Name = WellKnown.ReplicationPortName, ContainerPort = r });
        }

        if (admin is { } a)
        {
            ports.Add(new V1ContainerPort { Name = WellKnown.AdminPortName, ContainerPort = a });
        }

        return new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = labels ?? Member },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "sidecar", Ports = ports }] },
        };
    }

    private static bool Admits(V1NetworkPolicy policy, Connection connection) => IngressEvaluator.Admits([policy], Ns, Member, connection);

    private static Connection From(Dictionary<string, string> labels, int port, string protocol = "TCP", string ns = Ns) => new(ns, labels, protocol, port);

    [Fact]
    public void Open_ReplicationPortOnlyFromMembersAndOperator_EveryOtherPortAndProtocolFromAnywhere()
    {
        var policy = MeshNetworkPolicy.Build(Mesh(), [Pod("db-0", 8900, 8901), Pod("db-1", 8900, 8901)], KnownOperator);

        Assert.True(Admits(policy, From(Member, 8900)));
        Assert.True(Admits(policy, From(OperatorLabels, 8900, ns: "k8srepl-system")));
        Assert.False(Admits(policy, From(Stranger, 8900)));
        Assert.False(Admits(policy, From(Member, 8900, ns: "elsewhere")));
        Assert.False(Admits(policy, From(OperatorLabels, 8900)), "operator labels in the mesh's namespace are not the operator");

        // Every other port, of every protocol, exactly as if no policy selected the pods.
        foreach (var port in new[] { 1, 80, 8080, 8899, 8901, 8902, 65535 })
        {
            Assert.True(Admits(policy, From(Stranger, port)), $"TCP {port}");
        }

        Assert.True(Admits(policy, From(Stranger, 53, "UDP")));
        Assert.True(Admits(policy, From(Stranger, 8900, "UDP")), "the replication port is TCP only");
        Assert.True(Admits(policy, From(Stranger, 9, "SCTP")));
        Assert.Equal(["Ingress"], policy.Spec.PolicyTypes);
    }

    [Fact]
    public void Open_EveryPortNumberButReplication_IsAdmittedFromAStranger()
    {
        var policy = MeshNetworkPolicy.Build(Mesh(), [Pod("db-0", 7000, 7001), Pod("db-1", 9000, 9001)], KnownOperator);
        for (var port = 1; port <= 65535; port++)
        {
            Assert.Equal(port is not (7000 or 9000), Admits(policy, From(Stranger, port)));
        }
    }

    [Fact]
    public void Closed_AdmitsOnlyReplicationFromMembersAndAdminFromTheOperator()
    {
        var policy = MeshNetworkPolicy.Build(Mesh(OtherPortsPolicy.Closed), [Pod("db-0", 8900, 8901)], KnownOperator);

        Assert.True(Admits(policy, From(Member, 8900)));
        Assert.True(Admits(policy, From(OperatorLabels, 8901, ns: "k8srepl-system")));
        Assert.False(Admits(policy, From(Member, 8901)));
        Assert.False(Admits(policy, From(Stranger, 8901)));
        Assert.False(Admits(policy, From(Stranger, 8080)));
        Assert.False(Admits(policy, From(Stranger, 53, "UDP")));
    }

    [Fact]
    public void UnknownOperator_ReplicationFromMembersOnly_ClosedAdminPortFromAnywhere()
    {
        var open = MeshNetworkPolicy.Build(Mesh(), [Pod("db-0", 8900, 8901)], new NetworkPolicyOptions());
        Assert.Single(open.Spec.Ingress[0].FromProperty);
        Assert.False(Admits(open, From(OperatorLabels, 8900, ns: "k8srepl-system")));

        // An operator outside the cluster is no pod a policy can name; it must still reach the admin port.
        var closed = MeshNetworkPolicy.Build(Mesh(OtherPortsPolicy.Closed), [Pod("db-0", 8900, 8901)], new NetworkPolicyOptions());
        Assert.True(Admits(closed, From(Stranger, 8901)));
        Assert.False(Admits(closed, From(Stranger, 8900)));
    }

    [Fact]
    public void Ports_ComeFromTheMeshPods_ElseTheSpec_ElseTheDefaults_OtherNamespacesAndPodsIgnored()
    {
        var pods = new[]
        {
            Pod("db-0", 7100, 7101), Pod("web-0", 6000, 6001, labels: Stranger), Pod("db-x", 6100, 6101, ns: "elsewhere"),
        };
        var policy = MeshNetworkPolicy.Build(Mesh(), pods, KnownOperator);
        Assert.Equal([7100], policy.Spec.Ingress[0].Ports.Select(p => p.Port.ToInt()));
        Assert.True(Admits(policy, From(Stranger, 6000)));

        Assert.Equal([7300], MeshNetworkPolicy.Build(Mesh(replicationPort: 7300), [], KnownOperator).Spec.Ingress[0].Ports.Select(p => p.Port.ToInt()));
        Assert.Equal([WellKnown.ReplicationPort], MeshNetworkPolicy.Build(Mesh(), [Pod("db-0")], KnownOperator).Spec.Ingress[0].Ports.Select(p => p.Port.ToInt()));
    }

    [Fact]
    public void Policy_SelectsTheMeshPodsWithTheMeshSelector_AndIsOwnedByTheMesh()
    {
        var policy = MeshNetworkPolicy.Build(Mesh(), [], KnownOperator);
        Assert.Equal("orders-replication", policy.Metadata.Name);
        Assert.Equal(Ns, policy.Metadata.NamespaceProperty);
        Assert.Equal(("ReplicationMesh", "orders", true), (policy.Metadata.OwnerReferences[0].Kind, policy.Metadata.OwnerReferences[0].Name,
            policy.Metadata.OwnerReferences[0].Controller == true));
        Assert.Equal("orders", policy.Metadata.Labels[Labels.Mesh]);
        Assert.True(IngressEvaluator.Admits([policy], Ns, Stranger, From(Stranger, 8900)), "a pod outside the mesh is not selected");
        Assert.False(IngressEvaluator.Admits([policy], Ns, new Dictionary<string, string> { ["app"] = "db", ["tier"] = "data" }, From(Stranger, 8900)));
        Assert.True(IngressEvaluator.Admits([policy], Ns, new Dictionary<string, string> { ["app"] = "db", ["tier"] = "cache" }, From(Stranger, 8900)),
            "matchExpressions narrow the selection");
    }

    [Theory]
    [InlineData(new int[0], "1-65535")]
    [InlineData(new[] { 1 }, "2-65535")]
    [InlineData(new[] { 65535 }, "1-65534")]
    [InlineData(new[] { 8900, 8901 }, "1-8899,8902-65535")]
    [InlineData(new[] { 2, 4 }, "1-1,3-3,5-65535")]
    public void Complement_CoversEveryOtherPortOnce(int[] excluded, string expected) =>
        Assert.Equal(expected, string.Join(",", MeshNetworkPolicy.Complement(excluded).Select(r => $"{r.First}-{r.Last}")));

    [Fact]
    public void Isolating_NamesOtherIngressPoliciesSelectingAMember_NotEgressOnlyOnesNorOurOwn()
    {
        var members = new[] { Pod("db-0") };
        V1NetworkPolicy Policy(string name, V1LabelSelector selector, params string[] types) => new()
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
            Spec = new V1NetworkPolicySpec { PodSelector = selector, PolicyTypes = types.Length == 0 ? null : types },
        };
        var all = new V1LabelSelector();
        var web = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } };
        V1NetworkPolicy[] policies =
        [
            Policy("orders-replication", all, "Ingress"), Policy("default-deny", all), Policy("egress-only", all, "Egress"),
            Policy("web-only", web, "Ingress"), Policy("both", all, "Egress", "Ingress"),
        ];
        Assert.Equal(["both", "default-deny"], MeshNetworkPolicy.Isolating(policies, "orders-replication", members));
    }
}
