using System.Security.Cryptography;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Wire;

namespace K8sReplication.Sidecar.Repair;

/// <summary>
/// The compact protocol's side of a round (<see cref="CompactFormat"/>): all differing nodes of a level in one request
/// (salted 4-byte digests), then the differing leaves' row fingerprints, then only the rows whose fingerprint is not
/// among this member's for that leaf. Such a row differs, but the fingerprint does not say which side holds the newer
/// version: it is pulled anyway and the applier keeps the newer one (last writer wins), so a row newer here costs one
/// row's bytes and is counted as skipped.
/// </summary>
internal sealed partial class AntiEntropyRound
{
    /// <summary>Digest bytes per node and row: see <see cref="CompactFormat.MinWidth"/> for why 4 is safe with a salt per round.</summary>
    internal const int CompactWidth = CompactFormat.MinWidth;

    private const int LeavesPerRequest = 1024;

    /// <summary>True when the round finished, false when it stopped at the budget, null when the peer predates the protocol.</summary>
    private async Task<bool?> RunCompactAsync(MerkleTree tree, (SiteId Site, IReadOnlyDictionary<string, string> Tables) schema, int budget,
        CancellationToken cancellationToken)
    {
        var salt = RandomNumberGenerator.GetBytes(CompactFormat.SaltSize);
        var differing = new List<int> { 0 };
        for (var level = 0; level < tree.Depth && differing.Count > 0; level++)
        {
            var next = new List<int>();
            foreach (var parents in differing.Chunk(CompactFormat.MaxNodesPerRequest))
            {
                ulong[] remote;
                try
                {
                    (remote, var bytes) = await client.GetCompactNodesAsync(level, parents, salt, CompactWidth, cancellationToken);
                    _bytes += bytes;
                }
                catch (PeerUnavailableException e) when (level == 0 && e.StatusCode == StatusCodes.Status404NotFound)
                {
                    return null;
                }

                for (var p = 0; p < parents.Length; p++)
                {
                    for (var i = 0; i < MerkleTree.Fanout; i++)
                    {
                        var child = (parents[p] * MerkleTree.Fanout) + i;
                        if (SaltedDigest.Of(salt, tree.Node(level + 1, child), CompactWidth) != remote[(p * MerkleTree.Fanout) + i])
                        {
                            next.Add(child);
                        }
                    }
                }
            }

            differing = next;
        }

        foreach (var leaves in differing.Chunk(LeavesPerRequest))
        {
            if (_repaired >= budget)
            {
                return false;
            }

            var wanted = await RemoteOnlyAsync(tree, leaves, salt, cancellationToken);
            foreach (var chunk in wanted.Chunk(RowsPerRequest))
            {
                if (_repaired >= budget)
                {
                    return false;
                }

                await PullCompactAsync(chunk, salt, tree.Depth, schema, cancellationToken);
            }
        }

        return true;
    }

    /// <summary>(leaf, fingerprint) of the peer's rows in <paramref name="leaves"/> whose fingerprint this member lacks.</summary>
    private async Task<List<(int Leaf, ulong Fingerprint)>> RemoteOnlyAsync(MerkleTree tree, int[] leaves, byte[] salt, CancellationToken cancellationToken)
    {
        var wanted = new List<(int Leaf, ulong Fingerprint)>();
        await InHalvesAsync(leaves, part => client.GetCompactLeavesAsync(part, salt, CompactWidth, cancellationToken), (part, remote) =>
        {
            for (var l = 0; l < part.Length; l++)
            {
                var local = tree.Leaf(part[l]).Select(e => SaltedDigest.OfRow(salt, e, CompactWidth)).ToHashSet();
                wanted.AddRange(remote[l].Where(f => !local.Contains(f)).Distinct().Select(f => (part[l], f)));
            }
        });
        return wanted;
    }

    private Task PullCompactAsync((int Leaf, ulong Fingerprint)[] wanted, byte[] salt, int depth,
        (SiteId Site, IReadOnlyDictionary<string, string> Tables) schema, CancellationToken cancellationToken) =>
        InHalvesAsync(wanted, part => client.PostCompactRowsAsync(part, salt, CompactWidth, depth, cancellationToken), (_, rows) => ApplyPulled(rows, schema));
}
