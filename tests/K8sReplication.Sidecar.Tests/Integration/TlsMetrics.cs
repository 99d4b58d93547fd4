using System.Globalization;
using K8sReplication.Contracts;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>Reads one sample of a sidecar's /metrics (admin port, plain HTTP) for the TLS tests.</summary>
internal static class TlsMetrics
{
    public const string Expiry = "replication_tls_certificate_expiry_timestamp_seconds";
    public const string ReloadsOk = "replication_tls_reloads_total{outcome=\"ok\"}";
    public const string ReloadsFailed = "replication_tls_reloads_total{outcome=\"error\"}";

    /// <summary>The sample whose name and labels are exactly <paramref name="series"/>; 0 when there is none yet.</summary>
    public static async Task<double> ReadAsync(TestNode node, string series)
    {
        using var response = await node.GetAdminAsync(Paths.Metrics);
        var text = await response.Content.ReadAsStringAsync();
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
