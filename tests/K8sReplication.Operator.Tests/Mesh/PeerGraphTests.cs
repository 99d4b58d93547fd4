using K8sReplication.Contracts.Config;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Tests.Mesh;

public sealed class PeerGraphTests
{
    private static List<string> Pods(int n, string prefix = "app-") => Enumerable.Range(0, n).Select(i => prefix + i).ToList();

    [Fact]
    public void FullMesh_EveryMemberTailsEveryOther()
    {
        var graph = PeerGraph.Build(Pods(4), Topology.FullMesh, 3);

        Assert.All(graph, kv => Assert.Equal(3, kv.Value.Count));
        Assert.Equal(["app-1", "app-2", "app-3"], graph["app-0"]);
    }

    [Theory]
    [InlineData(5, 2)]
    [InlineData(10, 3)]
    [InlineData(50, 3)]
    [InlineData(200, 4)]
    public void Sparse_IsConnectedSymmetricBoundedAndLowDiameter(int n, int degree)
    {
        var graph = PeerGraph.Build(Pods(n), Topology.Sparse, degree);

        Assert.All(graph, kv => Assert.All(kv.Value, peer => Assert.Contains(kv.Key, graph[peer])));
        Assert.All(graph, kv => Assert.InRange(kv.Value.Count, 1, 2 * degree));
        Assert.All(graph, kv => Assert.DoesNotContain(kv.Key, kv.Value));
        var diameter = graph.Keys.Max(start => Eccentricity(graph, start));
        Assert.InRange(diameter, 1, 2 * (int)Math.Ceiling(Math.Log2(n)));
    }

    [Fact]
    public void Sparse_MemberJoining_ChangesFewExistingLinks()
    {
        var before = PeerGraph.Build(Pods(40), Topology.Sparse, 3);
        var after = PeerGraph.Build(Pods(41), Topology.Sparse, 3);

        var changed = before.Keys.Count(k => !before[k].SequenceEqual(after[k].Where(p => p != "app-40")));

        Assert.True(changed <= 12, $"{changed} of 40 members changed peers when one joined");
    }

    [Fact]
    public void Sparse_SmallMesh_FallsBackToFullMesh()
    {
        var graph = PeerGraph.Build(Pods(3), Topology.Sparse, 3);

        Assert.All(graph, kv => Assert.Equal(2, kv.Value.Count));
    }

    [Fact]
    public void Build_IsDeterministic_RegardlessOfInputOrder()
    {
        var pods = Pods(30);
        var shuffled = pods.OrderByDescending(p => p, StringComparer.Ordinal).ToList();

        var a = PeerGraph.Build(pods, Topology.Sparse, 3);
        var b = PeerGraph.Build(shuffled, Topology.Sparse, 3);

        Assert.All(a, kv => Assert.Equal(kv.Value, b[kv.Key]));
    }

    private static int Eccentricity(IReadOnlyDictionary<string, IReadOnlyList<string>> graph, string start)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal) { [start] = 0 };
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var node))
        {
            foreach (var next in graph[node].Where(next => !seen.ContainsKey(next)))
            {
                seen[next] = seen[node] + 1;
                queue.Enqueue(next);
            }
        }

        Assert.Equal(graph.Count, seen.Count);
        return seen.Values.Max();
    }
}
