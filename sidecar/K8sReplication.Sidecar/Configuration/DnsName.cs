using System.Text.RegularExpressions;

namespace K8sReplication.Sidecar.Configuration;

/// <summary>
/// The rule for node, peer and mesh names: a Kubernetes object name (RFC 1123 DNS subdomain) — at most 253
/// characters, lowercase letters, digits, '-' and '.', starting and ending with a letter or digit. Under the operator
/// these are pod and ReplicationMesh names, which Kubernetes already holds to this rule; outside it the rule keeps
/// names printable (they appear in logs, metrics labels and <c>/v1/status</c>) and bounded.
/// </summary>
internal static partial class DnsName
{
    /// <summary>Why <paramref name="name"/> is not a valid name, or null when it is.</summary>
    public static string? Problem(string name) =>
        name.Length > ConfigLimits.MaxNameLength
            ? $"is {name.Length} characters long; the limit is {ConfigLimits.MaxNameLength}"
            : Pattern().IsMatch(name)
                ? null
                : $"{InputQuote.Quote(name)} is not a DNS subdomain name (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Pattern();
}
