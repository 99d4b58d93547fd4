namespace K8sReplication.Contracts.Wire;

/// <summary>Answer of <c>GET /v1/changes</c>.</summary>
public sealed record ChangesResponse
{
    /// <summary>Serving member's site id.</summary>
    public string Site { get; init; } = "";

    /// <summary>Serving member's HLC at the snapshot (its wall clock is the high 48 bits).</summary>
    public long Hlc { get; init; }

    /// <summary>Serving member's wall clock (Unix ms) when answering; used for clock-skew estimates.</summary>
    public long Now { get; init; }

    /// <summary>Next cursor: seq of the last entry returned (the request's <c>after</c> when empty).</summary>
    public long LastSeq { get; init; }

    /// <summary>Highest seq in the serving store at the snapshot.</summary>
    public long MaxSeq { get; init; }

    /// <summary>The entries, in seq order.</summary>
    public IReadOnlyList<WireChange> Changes { get; init; } = [];
}
