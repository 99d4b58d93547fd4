using System.Globalization;
using K8sReplication.Bench.Cases;

namespace K8sReplication.Bench.Suite;

/// <summary>
/// Table rows of the compression case. Each codec's size is shown against the uncompressed page; on a link of a given
/// speed, the wire time of the compressed page plus the compress and decompress CPU is shown against the wire time of
/// the uncompressed page, so a ratio below 1 means the codec pays off on that link (for one page, one reader).
/// </summary>
internal static class CompressionRows
{
    private const string Section = "compression";
    private const string None = "no compression";

    /// <summary>Links the rows price: pods of one cluster or zone, and a cross-region link.</summary>
    public static readonly (string Name, double BitsPerSecond)[] Links = [("1 Gbit/s", 1e9), ("100 Mbit/s", 100e6)];

    public static IEnumerable<ResultRow> Of(IReadOnlyList<CompressionCase.CodecResult> results)
    {
        foreach (var r in results)
        {
            var set = r.Set;
            var page = $"feed page of {set.RowsPerPage:N0} {set.Rows} ({set.Format}, {set.RawBytesPerPage:N0} bytes)";
            var note = r.Shipped ? null : "managed port, not in the sidecar";
            yield return new(Section, $"{page}: {r.Codec} size", Sample.Of("bytes", r.CompressedBytesPerPage), None,
                Sample.Of("bytes", set.RawBytesPerPage), Note: note);
            if (r.CompressUs.Count == 0)
            {
                continue;
            }

            if (set.RowsPerPage == CompressionCase.PageRows)
            {
                yield return new(Section, $"{page}: {r.Codec} compress time per page", r.CompressUs, null, null,
                    Note: PerRow(r.CompressUs.Median, r.CompressCpuUs, set.RowsPerPage));
                yield return new(Section, $"{page}: {r.Codec} decompress time per page", r.DecompressUs, null, null,
                    Note: PerRow(r.DecompressUs.Median, r.DecompressCpuUs, set.RowsPerPage));
            }

            foreach (var (link, bps) in Links)
            {
                var raw = WireUs(set.RawBytesPerPage, bps);
                var sent = WireUs(r.CompressedBytesPerPage, bps);
                var cpu = r.CompressUs.Median + r.DecompressUs.Median;
                yield return new(Section, $"{page} on {link}: {r.Codec} wire + compress + decompress time per page",
                    Sample.Of("µs", sent + cpu), $"{None}: wire time", Sample.Of("µs", raw), "≤ 1× (pays off)", 1.0,
                    TargetOnRatio: true, Note: string.Create(CultureInfo.InvariantCulture, $"saves {raw - sent:N0} µs on the wire for {cpu:N0} µs of CPU"));
            }
        }
    }

    /// <summary>Microseconds to move <paramref name="bytes"/> at <paramref name="bitsPerSecond"/> (payload only, no latency).</summary>
    public static double WireUs(double bytes, double bitsPerSecond) => bytes * 8 / bitsPerSecond * 1e6;

    private static string PerRow(double usPerPage, double cpuUsPerPage, int rows) =>
        string.Create(CultureInfo.InvariantCulture, $"{usPerPage / rows:0.000} µs/row; process CPU {cpuUsPerPage:N0} µs/page");
}
