namespace K8sReplication.Sidecar.Pull;

/// <summary>
/// Why an answer from a peer was refused: the <c>reason</c> label of <c>replication_batches_rejected_total</c>. The
/// values are part of the metrics contract.
/// </summary>
internal static class RejectReason
{
    /// <summary>The answer was larger than this member's limits (raw or decompressed bytes, or one row).</summary>
    public const string TooLarge = "too_large";

    /// <summary>The answer could not be decoded (broken JSON, unknown encoding, missing or null members).</summary>
    public const string Malformed = "malformed";

    /// <summary>The answer decoded but breaks the protocol or the local schema (counts, key types, hash lengths).</summary>
    public const string Invalid = "invalid";

    /// <summary>The peer reported a site id other than the one it is bound to.</summary>
    public const string SiteChanged = "site_changed";

    /// <summary>The peer reported a site id another peer (or this member) already holds.</summary>
    public const string SiteTaken = "site_taken";

    /// <summary>A feed answer's cursor lies beyond the peer's own newest sequence number.</summary>
    public const string SeqBeyondMax = "seq_beyond_max";
}
