using K8sReplication.Contracts.Mesh;
using k8s.Models;
using K8sReplication.Operator.Hosting;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Tests.Hosting;

/// <summary>Which mesh events reconcile: not the operator's own status writes.</summary>
public sealed class MeshEventFilterTests
{
    private static ReplicationMesh Mesh(long generation, string phase, DateTime? deleted = null, params string[] finalizers) => new()
    {
        Metadata = new V1ObjectMeta { Name = "m", NamespaceProperty = "ns", Generation = generation, DeletionTimestamp = deleted, Finalizers = [.. finalizers] },
        Status = new ReplicationMeshStatus { Phase = phase },
    };

    [Fact]
    public void AStatusWrite_DoesNotReconcile()
    {
        Assert.False(OperatorController.Matters(Mesh(3, "Pending", null, "f"), Mesh(3, "Running", null, "f")));
    }

    [Fact]
    public void SpecDeletionFinalizersAndLifecycle_Reconcile()
    {
        Assert.True(OperatorController.Matters(Mesh(3, "Running"), Mesh(4, "Running")));
        Assert.True(OperatorController.Matters(Mesh(3, "Running"), Mesh(3, "Running", DateTime.UnixEpoch)));
        Assert.True(OperatorController.Matters(Mesh(3, "Running"), Mesh(3, "Running", null, "f")));
        Assert.True(OperatorController.Matters(null, Mesh(1, "Pending")));
        Assert.True(OperatorController.Matters(Mesh(1, "Pending"), null));
    }
}
