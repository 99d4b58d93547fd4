using System.ComponentModel;

namespace K8sReplication.Contracts.Mesh;

/// <summary>One member as the operator last saw it.</summary>
public sealed record MeshMember
{
    /// <summary>Pod name (the member's node name).</summary>
    [Description("Pod name; also the member's node name.")]
    public string Pod { get; init; } = "";

    /// <summary>Site id (hex).</summary>
    [Description("The member's site id (32 hex digits).")]
    public string? SiteId { get; init; }

    /// <summary>Replication URL.</summary>
    [Description("Replication API URL.")]
    public string? Address { get; init; }

    /// <summary>Sidecar readiness.</summary>
    [Description("The sidecar reports ready.")]
    public bool Ready { get; init; }

    /// <summary>Engine state.</summary>
    [Description("Sidecar engine state; Draining while a terminating member waits for a peer to fetch its changes; Unreachable when its status cannot be read; NotContacted while the mesh's auth Secret is refused.")]
    public string? State { get; init; }

    /// <summary>While draining: the member's changes no peer has fetched yet.</summary>
    [Description("While the member drains: its changes no peer has fetched yet.")]
    public long? UndeliveredChanges { get; init; }

    /// <summary>Largest lag towards any peer, in changes.</summary>
    [Description("Largest lag behind any peer, in changes.")]
    public long LagChanges { get; init; }

    /// <summary>Largest lag towards any peer, in seconds.</summary>
    [Description("Largest lag behind any peer, in seconds.")]
    public double LagSeconds { get; init; }

    /// <summary>Merkle root.</summary>
    [Description("Merkle root over the member's replicated rows.")]
    public string? MerkleRoot { get; init; }

    /// <summary>Config generation the member runs.</summary>
    [Description("Config generation the member runs.")]
    public long? ConfigGeneration { get; init; }

    /// <summary>Last successful status read.</summary>
    [Description("Last time the operator read the member's status.")]
    public DateTimeOffset? LastSeen { get; init; }
}
