using System.Globalization;

namespace K8sReplication.Sidecar.Backup;

/// <summary>A change segment's key, parsed: <c>segments/SITE/FROM-TO-MINHLC-SHA256.seg</c>.</summary>
internal sealed record SegmentKey(string Key, string Site, long From, long To, long MinHlc, string Sha256);

/// <summary>A snapshot manifest's key, parsed: <c>snapshots/CREATEDMS-SHA256.json</c> (the hash of the manifest).</summary>
internal sealed record SnapshotKey(string Manifest, long CreatedMs, string Sha256);

/// <summary>A snapshot part's key, parsed: <c>snapshots/parts/CREATEDMS-INDEX-SHA256.snap</c>.</summary>
internal sealed record SnapshotPartKey(string Key, long CreatedMs, int Index, string Sha256);

/// <summary>
/// Where each object of an archive lives under the store's root (docs/backup.md). Numbers are zero-padded to 20
/// digits, so a listing in key order is in numeric order.
/// </summary>
internal static class ArchiveLayout
{
    public const string SegmentsPrefix = "segments/";
    public const string SnapshotsPrefix = "snapshots/";
    public const string ClaimsPrefix = "snapshots/claims/";
    public const string PartsPrefix = "snapshots/parts/";
    private const string SegmentSuffix = ".seg";
    private const string SnapshotSuffix = ".snap";
    private const string ManifestSuffix = ".json";

    public static string SitePrefix(string site) => SegmentsPrefix + site + "/";

    public static string Segment(string site, long from, long to, long minHlc, string sha256) =>
        string.Create(CultureInfo.InvariantCulture, $"{SitePrefix(site)}{from:D20}-{to:D20}-{minHlc:D20}-{sha256}{SegmentSuffix}");

    public static SnapshotKey Snapshot(long createdMs, string sha256) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{SnapshotsPrefix}{createdMs:D20}-{sha256}{ManifestSuffix}"), createdMs, sha256);

    public static string SnapshotPart(long createdMs, int index, string sha256) =>
        string.Create(CultureInfo.InvariantCulture, $"{PartsPrefix}{createdMs:D20}-{index:D6}-{sha256}{SnapshotSuffix}");

    /// <summary>Parses a snapshot part's key; null for any other key.</summary>
    public static SnapshotPartKey? ParseSnapshotPart(string key)
    {
        if (!key.StartsWith(PartsPrefix, StringComparison.Ordinal) || !key.EndsWith(SnapshotSuffix, StringComparison.Ordinal))
        {
            return null;
        }

        var fields = key[PartsPrefix.Length..^SnapshotSuffix.Length].Split('-');
        return fields.Length == 3 && Number(fields[0]) is { } created && fields[1].Length == 6 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && IsSha(fields[2])
            ? new SnapshotPartKey(key, created, index, fields[2])
            : null;
    }

    public static string Claim(long period, int attempt) => string.Create(CultureInfo.InvariantCulture, $"{ClaimsPrefix}{period:D20}-{attempt}");

    /// <summary>Parses a segment key; null for any other key.</summary>
    public static SegmentKey? ParseSegment(string key)
    {
        if (!key.StartsWith(SegmentsPrefix, StringComparison.Ordinal) || !key.EndsWith(SegmentSuffix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = key[SegmentsPrefix.Length..^SegmentSuffix.Length].Split('/');
        if (parts.Length != 2)
        {
            return null;
        }

        var fields = parts[1].Split('-');
        return fields.Length == 4 && IsSite(parts[0]) && Number(fields[0]) is { } from && Number(fields[1]) is { } to && Number(fields[2]) is { } minHlc
            && IsSha(fields[3]) && to >= from
            ? new SegmentKey(key, parts[0], from, to, minHlc, fields[3])
            : null;
    }

    /// <summary>Parses a snapshot manifest's key; null for any other key.</summary>
    public static SnapshotKey? ParseManifest(string key)
    {
        if (!key.StartsWith(SnapshotsPrefix, StringComparison.Ordinal) || !key.EndsWith(ManifestSuffix, StringComparison.Ordinal)
            || key.StartsWith(ClaimsPrefix, StringComparison.Ordinal) || key.StartsWith(PartsPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var fields = key[SnapshotsPrefix.Length..^ManifestSuffix.Length].Split('-');
        return fields.Length == 2 && Number(fields[0]) is { } created && IsSha(fields[1]) ? Snapshot(created, fields[1]) : null;
    }

    private static long? Number(string text) =>
        text.Length == 20 && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static bool IsSha(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigitLower);

    private static bool IsSite(string text) => text.Length == 32 && text.All(char.IsAsciiHexDigitLower);
}
