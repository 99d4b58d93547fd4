namespace K8sReplication.Contracts;

/// <summary>HTTP paths of the sidecar's replication and admin APIs.</summary>
public static class Paths
{
    /// <summary>Long-poll change feed: <c>GET /v1/changes?after=SEQ&amp;limit=N&amp;wait=MS[&amp;origin=SITE]</c>.</summary>
    public const string Changes = "/v1/changes";

    /// <summary>Merkle root and shape.</summary>
    public const string Merkle = "/v1/merkle";

    /// <summary>Children digests of one Merkle node: <c>?path=...</c>.</summary>
    public const string MerkleNodes = "/v1/merkle/nodes";

    /// <summary>Version list of one leaf: <c>/v1/merkle/leaves/{n}</c>.</summary>
    public const string MerkleLeaves = "/v1/merkle/leaves";

    /// <summary>
    /// Compact (binary, versioned) anti-entropy endpoints: salted short digests, many nodes per request, rows addressed
    /// by leaf and fingerprint. Under <see cref="Merkle"/> so members that predate them answer 404 there, which tells a
    /// newer member to repair with the JSON endpoints instead.
    /// </summary>
    public const string MerkleCompact = "/v1/merkle/compact";

    /// <summary>Salted children digests of many nodes of one level (POST, binary).</summary>
    public const string MerkleCompactNodes = MerkleCompact + "/nodes";

    /// <summary>Salted row fingerprints of many leaves (POST, binary).</summary>
    public const string MerkleCompactLeaves = MerkleCompact + "/leaves";

    /// <summary>Current rows addressed by (leaf, salted fingerprint) (POST, binary).</summary>
    public const string MerkleCompactRows = MerkleCompact + "/rows";

    /// <summary>Current rows for a list of keys (POST).</summary>
    public const string Rows = "/v1/rows";

    /// <summary>Schema hash of every replicated table.</summary>
    public const string Schema = "/v1/schema";

    /// <summary>Liveness probe: the process answers.</summary>
    public const string Livez = "/livez";

    /// <summary>Readiness probe: engine running, database open, circuit closed, first catch-up done.</summary>
    public const string Readyz = "/readyz";

    /// <summary>Startup probe: start-up finished (database opened, bookkeeping installed).</summary>
    public const string Startupz = "/startupz";

    /// <summary>Full health JSON (<see cref="Health.SidecarHealth"/>).</summary>
    public const string Status = "/v1/status";

    /// <summary>
    /// Conflict log, oldest first (bearer token): <c>GET /v1/conflicts?table=T&amp;since=RFC3339&amp;limit=N</c>
    /// (<see cref="K8sReplication.Contracts.Conflicts.ConflictsResponse"/>).
    /// </summary>
    public const string Conflicts = "/v1/conflicts";

    /// <summary>
    /// Requests an anti-entropy round against every peer now, instead of at the next interval (POST, bearer token,
    /// admin port); answers 202 at once. Each peer's round shows in <see cref="Status"/> as its <c>lastAntiEntropy</c>.
    /// </summary>
    public const string AntiEntropy = "/v1/antientropy";

    /// <summary>Live configuration push (PUT, bearer token).</summary>
    public const string Config = "/v1/config";

    /// <summary>Prometheus text exposition format 0.0.4, or OpenMetrics when the scraper asks for it.</summary>
    public const string Metrics = "/metrics";
}
