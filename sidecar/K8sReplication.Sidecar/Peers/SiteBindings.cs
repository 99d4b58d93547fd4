using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Peers;

/// <summary>
/// Binds each configured peer (by name) to the site id it first reported, durably (in the replica's cursor table,
/// so a restart keeps it). Cursors are kept per site, so without this a peer that announced another member's site id
/// would read and move that member's cursor. A peer must keep reporting its bound site; a site another configured
/// peer holds, or this member's own, is refused. When the configuration names a peer's site (<c>peers[].site</c>, for
/// a member whose volume was replaced on purpose), the binding follows the configuration.
/// </summary>
internal sealed class SiteBindings(ReplicaStore store)
{
    public const string Prefix = "peer-site:";

    private readonly Lock _gate = new();
    private Dictionary<string, string>? _bound;

    /// <summary>Checks the site <paramref name="peer"/> reported and binds it on first sight; throws when refused.</summary>
    public void Check(string peer, SiteId reported, SiteId? configured, IReadOnlyCollection<string> configuredPeers)
    {
        var site = reported.ToString();
        if (reported == store.Site)
        {
            throw new PeerAnswerRejectedException(RejectReason.SiteTaken, $"peer {peer} reports this member's own site id {site}");
        }

        if (configured is { } expected && expected != reported)
        {
            throw new PeerAnswerRejectedException(RejectReason.SiteChanged,
                $"peer {peer} reports site {site}, the configuration names {expected} (peers[].site)");
        }

        lock (_gate)
        {
            _bound ??= store.ReadCursors(Prefix).ToDictionary(kv => kv.Key[Prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
            if (configured is null && _bound.TryGetValue(peer, out var bound) && !string.Equals(bound, site, StringComparison.Ordinal))
            {
                throw new PeerAnswerRejectedException(RejectReason.SiteChanged,
                    $"peer {peer} now reports site {site} but is bound to site {bound}; if its volume was replaced on purpose, set peers[].site");
            }

            var holder = _bound.FirstOrDefault(kv => !string.Equals(kv.Key, peer, StringComparison.Ordinal)
                && string.Equals(kv.Value, site, StringComparison.Ordinal) && configuredPeers.Contains(kv.Key)).Key;
            if (holder is not null)
            {
                throw new PeerAnswerRejectedException(RejectReason.SiteTaken, $"peer {peer} reports site {site}, which peer {holder} holds");
            }

            if (!_bound.TryGetValue(peer, out var current) || !string.Equals(current, site, StringComparison.Ordinal))
            {
                store.WriteCursor(Prefix + peer, site);
                _bound[peer] = site;
            }
        }
    }
}
