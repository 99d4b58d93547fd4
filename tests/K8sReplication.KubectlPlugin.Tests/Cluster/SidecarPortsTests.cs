using k8s.Models;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Mesh;
using K8sReplication.KubectlPlugin.Cluster;

namespace K8sReplication.KubectlPlugin.Tests.Cluster;

public sealed class SidecarPortsTests
{
    [Fact]
    public void NamedContainerPorts_WinOverTheSpec_InInitContainersToo()
    {
        var pod = new V1Pod
        {
            Spec = new V1PodSpec
            {
                Containers = [new V1Container { Name = "app" }],
                InitContainers =
                [
                    new V1Container
                    {
                        Name = "k8srepl",
                        Ports =
                        [
                            new V1ContainerPort { Name = WellKnown.ReplicationPortName, ContainerPort = 19000 },
                            new V1ContainerPort { Name = WellKnown.AdminPortName, ContainerPort = 19001 },
                        ],
                    },
                ],
            },
        };
        var spec = new ReplicationMeshSpec { AdminPort = 7001, ReplicationPort = 7000 };

        Assert.Equal(19001, SidecarPorts.Admin(pod, spec));
        Assert.Equal(19000, SidecarPorts.Replication(pod, spec));
    }

    [Fact]
    public void UnnamedPorts_FallBackToTheSpec_ThenTheWellKnownPorts()
    {
        var pod = new V1Pod { Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Ports = [new V1ContainerPort { ContainerPort = 80 }] }] } };

        Assert.Equal(7001, SidecarPorts.Admin(pod, new ReplicationMeshSpec { AdminPort = 7001 }));
        Assert.Equal(WellKnown.AdminPort, SidecarPorts.Admin(pod, new ReplicationMeshSpec()));
        Assert.Equal(WellKnown.ReplicationPort, SidecarPorts.Replication(pod, new ReplicationMeshSpec()));
    }
}
