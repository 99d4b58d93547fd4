namespace K8sReplication.Sidecar.Wire;

/// <summary>
/// The binary change-feed format (docs/wire-format.md). An answer is the 4-byte preamble <c>KRF</c> + version, then
/// length-prefixed frames; version 1 has one frame type, a batch. Values are typed (null, integer, real, text, blob)
/// and numbers are varints, so a change costs its key and values plus a few bytes, with no text encoding of numbers or
/// base64 of blobs. Table names and site ids are sent once per batch and referred to by index afterwards. Version 2
/// adds the base of a change (the version its write replaced, flag <see cref="BasedFlag"/>); a member serves either
/// version, the one asked for.
/// </summary>
internal static class FeedFormat
{
    /// <summary>The <c>format</c> query value that asks for this format (JSON otherwise).</summary>
    public const string QueryValue = "frames";

    /// <summary>The newest version this member reads and writes (and asks its peers for).</summary>
    public const int Version = 2;

    /// <summary>The oldest version this member still reads and writes; a request outside is refused with 400 naming them.</summary>
    public const int OldestVersion = 1;

    public const string ContentType = "application/vnd.k8srepl.feed";

    /// <summary>Preamble: 'K' 'R' 'F' and the version byte.</summary>
    public static ReadOnlySpan<byte> Magic => "KRF"u8;

    public const int PreambleSize = 4;

    /// <summary>Frame header: 4-byte little-endian length of what follows (type byte + payload).</summary>
    public const int FrameHeaderSize = 4;

    public const byte BatchFrame = 1;

    /// <summary>Flag bit of a change: tombstone (no values follow).</summary>
    public const byte DeletedFlag = 1;

    /// <summary>Flag bit of a change (version 2 on): its base follows the HLC, a version clock and a site reference.</summary>
    public const byte BasedFlag = 2;

    /// <summary>The flag bits a change may carry in <paramref name="version"/>.</summary>
    public static byte KnownFlags(int version) => version >= 2 ? (byte)(DeletedFlag | BasedFlag) : DeletedFlag;
}
