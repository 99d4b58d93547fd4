using K8sReplication.Contracts.Config;
using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Operator.Mesh;

/// <summary>What a mesh's <c>spec.backup</c> means for its members (pure).</summary>
internal static class MeshBackup
{
    /// <summary>A member whose last successful archive round is older than this many intervals is stale.</summary>
    public const int StaleIntervals = 3;

    /// <summary>Lower bound of the staleness threshold, so short intervals do not flap on a slow store.</summary>
    public static readonly TimeSpan MinStaleAfter = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The archive of one mesh: <c>&lt;url&gt;/&lt;namespace&gt;/&lt;mesh&gt;/</c>, joined with exactly one slash,
    /// so meshes of the same name in different namespaces, and different meshes, never share a prefix.
    /// </summary>
    public static string ArchiveUrl(string url, string @namespace, string mesh)
    {
        var root = url.TrimEnd('/');
        if (root.EndsWith(':'))
        {
            // Only the scheme was left (file:///): the path is the filesystem root.
            root += "//";
        }

        return $"{root}/{@namespace}/{mesh}/";
    }

    /// <summary>The backup section every member of the mesh gets, without credentials (those are pushed, never stored).</summary>
    public static BackupConfig? Config(string @namespace, string mesh, BackupSpec? spec) => spec is null
        ? null
        : new BackupConfig
        {
            Url = ArchiveUrl(spec.Url, @namespace, mesh),
            Endpoint = spec.Endpoint,
            Interval = spec.Interval,
            SnapshotInterval = spec.SnapshotInterval,
            Retention = spec.Retention,
        };

    /// <summary>How old a member's last successful archive round may be before BackupHealthy turns False.</summary>
    public static TimeSpan StaleAfter(BackupSpec spec)
    {
        // The CRD admits only valid durations; an unset (or, on a server without the schema, invalid) one is the default.
        _ = Durations.TryParse(spec.Interval, out var interval) || Durations.TryParse(BackupConfig.DefaultInterval, out interval);
        var threshold = interval * StaleIntervals;
        return threshold > MinStaleAfter ? threshold : MinStaleAfter;
    }
}
