namespace K8sReplication.Contracts.Mesh;

/// <summary>What the mesh's NetworkPolicy admits on the member pods' ports other than replication.</summary>
public enum OtherPortsPolicy
{
    /// <summary>Every other port (TCP, UDP, SCTP) from anywhere: only the replication port is narrowed.</summary>
    Open = 0,

    /// <summary>Nothing but the admin port from the operator: your own policies say who reaches the rest.</summary>
    Closed = 1,
}
