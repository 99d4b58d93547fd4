using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Pull;

/// <summary>
/// Binds each configured peer (by name) to the site id it first reported at its configured address, durably (in the
/// replica's cursor table, so a restart keeps it). Cursors are kept per site, so without this a peer that announced
/// another member's site id would read and move that member's cursor. At the same address a peer must keep reporting
/// its bound site; a site another configured peer holds, or this member's own, is refused. A binding follows the
/// configuration: when the configuration moves the peer to another address (a pod recreated, possibly with a new
/// volume and so a new site id) the next site reported there is bound, and when it names the peer's site
/// (<c>peers[].site</c>) that site is required and bound.
/// </summary>
internal sealed class SiteBindings(ReplicaStore store)
{
    public const string Prefix = "peer-site:";

    private readonly Lock _gate = new();
    private Dictionary<string, (string Site, string? Url)>? _bound;

    /// <summary>Checks the site <paramref name="peer"/> reported and binds it on first sight; throws when refused.</summary>
    public void Check(PeerSettings peer, SiteId reported, IEnumerable<PeerSettings> configuredPeers)
    {
        var site = reported.ToString();
        var url = peer.Url.ToString();
        if (reported == store.Site)
        {
            throw new PeerAnswerRejectedException(RejectReason.SiteTaken, $"peer {peer.Name} reports this member's own site id {site}");
        }

        if (peer.Site is { } expected && !string.Equals(expected, site, StringComparison.OrdinalIgnoreCase))
        {
            throw new PeerAnswerRejectedException(RejectReason.SiteChanged,
                $"peer {peer.Name} reports site {site}, the configuration names {expected} (peers[].site)");
        }

        lock (_gate)
        {
            _bound ??= store.ReadCursors(Prefix).ToDictionary(kv => kv.Key[Prefix.Length..], kv => Parse(kv.Value), StringComparer.Ordinal);
            if (peer.Site is null && _bound.TryGetValue(peer.Name, out var bound)
                && string.Equals(bound.Url, url, StringComparison.Ordinal) && !string.Equals(bound.Site, site, StringComparison.Ordinal))
            {
                throw new PeerAnswerRejectedException(RejectReason.SiteChanged,
                    $"peer {peer.Name} at {url} now reports site {site} but is bound to site {bound.Site}; if its volume was replaced on purpose, set peers[].site");
            }

            var others = configuredPeers.Where(p => !string.Equals(p.Name, peer.Name, StringComparison.Ordinal)).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            var holder = _bound.FirstOrDefault(kv => others.Contains(kv.Key) && string.Equals(kv.Value.Site, site, StringComparison.Ordinal)).Key;
            if (holder is not null)
            {
                throw new PeerAnswerRejectedException(RejectReason.SiteTaken, $"peer {peer.Name} reports site {site}, which peer {holder} holds");
            }

            if (!_bound.TryGetValue(peer.Name, out var current) || current.Site != site || current.Url != url)
            {
                store.WriteCursor(Prefix + peer.Name, site + " " + url);
                _bound[peer.Name] = (site, url);
            }
        }
    }

    /// <summary>"site url" as stored; a value without an address binds at any address.</summary>
    private static (string Site, string? Url) Parse(string value)
    {
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (value, null) : (value[..space], value[(space + 1)..]);
    }
}
