using K8sReplication.Contracts.Wire;
using K8sReplication.Sidecar.ColdPath;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Api;

/// <summary>Converts between storage records and wire DTOs; wire input is checked and named by index on error.</summary>
internal static class WireMapping
{
    public static WireChange ToWire(Change change) => new()
    {
        Table = change.Table,
        Key = change.Key,
        Hlc = change.Version.Hlc,
        Site = change.Version.Site.ToString(),
        Deleted = change.Version.Deleted,
        Values = change.Version.Deleted ? null : change.Values,
        Seq = change.Seq,
    };

    public static WireLeafEntry ToWire(LeafEntry entry) => new()
    {
        Table = entry.Table,
        Key = entry.Key,
        Hlc = entry.Version.Hlc,
        Site = entry.Version.Site.ToString(),
        Deleted = entry.Version.Deleted,
    };

    public static List<Change> FromWire(IReadOnlyList<WireChange> changes)
    {
        var result = new List<Change>(changes.Count);
        for (var i = 0; i < changes.Count; i++)
        {
            var c = changes[i] ?? throw new ChangeRejectedException($"changes[{i}]", "is null");
            if (!SiteId.TryParse(c.Site, out var site))
            {
                throw new ChangeRejectedException($"changes[{i}].s", $"'{c.Site}' is not a site id (32 hex digits)");
            }

            if (!c.Deleted && c.Values is null)
            {
                throw new ChangeRejectedException($"changes[{i}].v", "values are required for a live row");
            }

            result.Add(new Change(c.Table, c.Key, new RowVersion(c.Hlc, site, c.Deleted), c.Deleted ? null : c.Values, c.Seq));
        }

        return result;
    }

    public static List<LeafEntry> FromWire(IReadOnlyList<WireLeafEntry> entries)
    {
        var result = new List<LeafEntry>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (e is null || !SiteId.TryParse(e.Site, out var site))
            {
                throw new ChangeRejectedException($"entries[{i}].s", "is not a site id (32 hex digits)");
            }

            result.Add(new LeafEntry(e.Table, e.Key, new RowVersion(e.Hlc, site, e.Deleted)));
        }

        return result;
    }
}
