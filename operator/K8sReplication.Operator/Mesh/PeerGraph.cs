using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using K8sReplication.Contracts.Config;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// Computes which peers each member tails. Pure: the same members give the same graph.
/// <list type="bullet">
/// <item>FullMesh: everyone tails everyone else.</item>
/// <item>Sparse: members sit on a ring ordered by a hash of their name, and each links to the members at ring
/// distances 1, 2, 4, 8, … (then 3, 5, 6, … if the degree asks for more). Links are symmetric. The ring keeps the
/// graph connected, the power-of-two chords keep its diameter logarithmic, and hashing names (rather than sorting
/// them) means a member joining or leaving only changes the links of members near it on the ring.</item>
/// </list>
/// </summary>
internal static class PeerGraph
{
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Build(IReadOnlyCollection<string> members, Topology topology, int degree)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1);
        var names = members.Distinct(StringComparer.Ordinal).ToList();
        var links = names.ToDictionary(n => n, _ => new SortedSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);

        if (topology == Topology.FullMesh || names.Count <= degree + 1)
        {
            foreach (var a in names)
            {
                links[a].UnionWith(names.Where(b => b != a));
            }
        }
        else
        {
            var ring = names.OrderBy(RingPosition).ThenBy(n => n, StringComparer.Ordinal).ToList();
            var distances = Distances(ring.Count, degree);
            for (var i = 0; i < ring.Count; i++)
            {
                foreach (var d in distances)
                {
                    var j = (i + d) % ring.Count;
                    links[ring[i]].Add(ring[j]);
                    links[ring[j]].Add(ring[i]);
                }
            }
        }

        return links.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)kv.Value.ToList(), StringComparer.Ordinal);
    }

    private static List<int> Distances(int count, int degree)
    {
        var distances = new List<int>();
        for (var d = 1; d < count && distances.Count < degree; d *= 2)
        {
            distances.Add(d);
        }

        for (var d = 2; d < count && distances.Count < degree; d++)
        {
            if (!distances.Contains(d))
            {
                distances.Add(d);
            }
        }

        return distances;
    }

    private static ulong RingPosition(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }
}
