namespace K8sReplication.Contracts.Health;

/// <summary>
/// Tombstone collection on one member, in <c>tombstoneCollection</c> of <c>GET /v1/status</c>: tombstones are collected
/// once every member has applied them.
/// </summary>
public sealed record TombstoneCollectionHealth
{
    /// <summary>Collection rounds run since the sidecar started (one every few seconds).</summary>
    public long Rounds { get; init; }

    /// <summary>Tombstones collected since the sidecar started.</summary>
    public long Collected { get; init; }

    /// <summary>Tombstones written up to this time are collected here (every member had applied them); null before the first.</summary>
    public DateTimeOffset? Horizon { get; init; }

    /// <summary>Why the last round could not advance the horizon (a peer not reached, not reporting, not full mesh); null when it could.</summary>
    public string? HeldBackBy { get; init; }
}
