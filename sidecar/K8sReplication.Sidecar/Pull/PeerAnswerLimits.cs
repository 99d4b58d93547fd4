using K8sReplication.Sidecar.Configuration;

namespace K8sReplication.Sidecar.Pull;

/// <summary>
/// The most this member reads of one peer answer, in decompressed bytes, per kind of answer. Feed and row answers are
/// derived from the batch and row limits: a sender stops a batch after <c>hotPath.maxBatchBytes</c>, so a whole answer
/// is at most that plus one row (<c>hotPath.maxRowBytes</c>, in its JSON form) plus the envelope. Compressed bodies may be at most a
/// little larger than what they inflate to (incompressible data grows by well under 1/64 plus framing).
/// </summary>
internal sealed record PeerAnswerLimits(long Feed, long Leaf, long Small)
{
    /// <summary>Room for the fields around a batch's changes.</summary>
    public const long EnvelopeBytes = 64 << 10;

    /// <summary>Schema hashes, Merkle root and nodes: a fixed, generous ceiling (10,000 tables of long names).</summary>
    public const long SmallAnswerBytes = 1 << 20;

    /// <summary>
    /// A Merkle leaf's version list (about 120 bytes per row version): 8 MiB holds ~70,000 versions, a leaf's share
    /// of several billion rows at the default tree depth.
    /// </summary>
    public const long LeafAnswerBytes = 8 << 20;

    /// <remarks>
    /// The row allowance is one and a half rows: the JSON form (spoken by members of earlier versions) carries blobs in
    /// base64, a third larger than the row, so a row at the limit still fits in a page of its own.
    /// </remarks>
    public static PeerAnswerLimits From(SidecarSettings settings) =>
        new(settings.MaxBatchBytes + (settings.MaxRowBytes * 3 / 2) + EnvelopeBytes, LeafAnswerBytes, SmallAnswerBytes);

    /// <summary>The raw (possibly compressed) bytes allowed for an answer that may inflate to <paramref name="decoded"/>.</summary>
    public static long Raw(long decoded) => decoded + (decoded / 64) + EnvelopeBytes;
}
