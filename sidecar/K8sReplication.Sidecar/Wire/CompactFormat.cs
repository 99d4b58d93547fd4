namespace K8sReplication.Sidecar.Wire;

/// <summary>
/// The compact anti-entropy format (binary, little-endian, versioned), spoken on the <c>/v1/merkle/compact/*</c>
/// endpoints next to the JSON ones, which stay for members that predate it. Every request starts with
/// <c>u8 version, u8 width, 8-byte salt</c>; every answer with <c>u8 version</c>. Digests and row fingerprints travel
/// as the low <c>width</c> bytes of a hash of (salt, 128-bit digest) (<see cref="SaltedDigest"/>). Counts and lengths are
/// unsigned LEB128 varints.
/// <list type="bullet">
/// <item>nodes: request <c>u8 level, varint n, n × varint index</c> (parents on <c>level</c>, strictly ascending);
///   answer <c>u8 version, u8 width, varint n, n × 16 × width</c> (each parent's children in order).</item>
/// <item>leaves: request <c>varint n, n × varint leaf</c> (strictly ascending); answer <c>u8 version, u8 width,
///   varint n</c> then per leaf <c>varint count, count × width</c> (its rows' fingerprints).</item>
/// <item>rows: request <c>varint n</c> then per leaf (strictly ascending) <c>varint leaf, varint count, count × width</c>;
///   answer <c>u8 version, varint tables, tables × (varint length, UTF-8 name), varint sites, sites × 16 bytes,
///   varint rows</c> then per row <c>varint table, varint key length, key, i64 hlc, varint site, u8 flags (bit 0:
///   tombstone)</c> and, for a live row, <c>varint values</c> and per value a tag: 0 null, 1 integer (i64), 2 real
///   (f64 bits), 3 text (varint length, UTF-8), 4 blob (varint length, bytes), 5 key part (varint index into the
///   decoded key: a primary-key column travels once, inside the key).</item>
/// </list>
/// </summary>
internal static class CompactFormat
{
    public const byte Version = 1;

    public const string ContentType = "application/octet-stream";

    public const int SaltSize = 8;

    /// <summary>
    /// Narrowest digest accepted: with a fresh salt per round a differing node or row looks equal with probability
    /// 2^-32 per comparison, and only for that round (the next salt is independent), so a miss delays repair, never
    /// hides a difference for ever.
    /// </summary>
    public const int MinWidth = 4;

    /// <summary>Widest digest: fingerprints are handled as 64-bit values.</summary>
    public const int MaxWidth = 8;

    /// <summary>Most parents in one nodes request (an answer of at most 512 KiB at the widest digests).</summary>
    public const int MaxNodesPerRequest = 4096;

    /// <summary>Most leaves in one leaves request.</summary>
    public const int MaxLeavesPerRequest = 4096;

    public const byte TombstoneFlag = 1;

    /// <summary>Bytes of the common request header.</summary>
    public const int RequestHeaderSize = 2 + SaltSize;
}
