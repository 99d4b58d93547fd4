using K8sReplication.Contracts;
using K8sReplication.Contracts.Mesh;
using k8s.Models;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Tests.Mesh;

public sealed class MemberDiscoveryTests
{
    private static readonly ReplicationMesh Mesh = new()
    {
        Metadata = new V1ObjectMeta { Name = "m", NamespaceProperty = "ns" },
        Spec = new ReplicationMeshSpec
        {
            Selector = new Contracts.Mesh.LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "a" } },
            ReplicationPort = 7000,
        },
    };

    private static V1Pod MakePod(string name, string? ip = "10.0.0.1", string phase = "Running", string app = "a", string ns = "ns",
        bool terminating = false, IList<V1ContainerPort>? initPorts = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = ns,
            Labels = new Dictionary<string, string> { ["app"] = app },
            DeletionTimestamp = terminating ? DateTime.UnixEpoch : null,
        },
        Spec = new V1PodSpec
        {
            Containers = [new V1Container { Name = "app" }],
            InitContainers = initPorts is null ? null : [new V1Container { Name = "sidecar", RestartPolicy = "Always", Ports = initPorts }],
        },
        Status = new V1PodStatus { Phase = phase, PodIP = ip },
    };

    [Fact]
    public void Members_OnlyRunningMatchingPodsWithAnIp_SortedByName_TerminatingOnesMarked()
    {
        V1Pod[] pods =
        [
            MakePod("b"), MakePod("a"), MakePod("pending", phase: "Pending"), MakePod("no-ip", ip: null), MakePod("other", app: "x"),
            MakePod("elsewhere", ns: "other"), MakePod("going", terminating: true),
        ];
        var members = MemberDiscovery.Members(Mesh, pods);
        Assert.Equal(["a", "b", "going"], members.Select(m => m.Pod));
        Assert.Equal([false, false, true], members.Select(m => m.Terminating));
    }

    [Fact]
    public void TerminatingPodThatStoppedRunning_IsNoLongerAMember()
    {
        Assert.Empty(MemberDiscovery.Members(Mesh, [MakePod("gone", terminating: true, phase: "Succeeded")]));
        Assert.Empty(MemberDiscovery.Members(Mesh, [MakePod("gone", terminating: true, ip: null)]));
    }

    [Fact]
    public void Members_NamedPortsOfNativeSidecar_WinOverSpecPorts()
    {
        var pod = MakePod("p", initPorts: [new V1ContainerPort { Name = WellKnown.ReplicationPortName, ContainerPort = 1234 }, new V1ContainerPort { Name = WellKnown.AdminPortName, ContainerPort = 1235 }]);
        var member = Assert.Single(MemberDiscovery.Members(Mesh, [pod]));
        Assert.Equal("http://10.0.0.1:1234", member.ReplicationUrl);
        Assert.Equal("http://10.0.0.1:1235", member.AdminUrl);
    }

    [Fact]
    public void Members_WithoutNamedPorts_UseSpecPortsThenDefaults()
    {
        var member = Assert.Single(MemberDiscovery.Members(Mesh, [MakePod("p", ip: "fd00::1")]));
        Assert.Equal("http://[fd00::1]:7000", member.ReplicationUrl);
        Assert.Equal($"http://[fd00::1]:{WellKnown.AdminPort}", member.AdminUrl);
    }
}
