using K8sReplication.Contracts.Wire;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Wire;

/// <summary>Converts storage records to wire DTOs (what this member serves; peer answers are read by Pull.PeerAnswers).</summary>
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
}
