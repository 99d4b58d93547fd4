using k8s;
using K8sReplication.Kube.Resources;
using K8sReplication.Kube.Watch;

namespace K8sReplication.Kube.Tests.Conformance;

public static partial class ClientScenarios
{
    public static async Task WatchResumesWithoutGapsOrDuplicates(ClientTarget t)
    {
        var c = t.Client.CoreV1;
        var options = new WatchOptions { ServerTimeout = TimeSpan.FromSeconds(60) };
        var list = await KubeResources.ConfigMaps.ListAllAsync(t.Client, t.Namespace, null, null, CancellationToken.None);
        await c.CreateNamespacedConfigMapAsync(Cm("w1"), t.Namespace);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? resume = null;
        await foreach (var ev in t.Connection.WatchOnceAsync(KubeResources.ConfigMaps, t.Namespace, list.ResourceVersion, options, cancellationToken: cts.Token))
        {
            if (ev.Type == WatchEventType.Added && ev.Item.Metadata.Name == "w1")
            {
                resume = ev.ResourceVersion;
                break;
            }
        }

        Assert.NotNull(resume);

        // Changes made while nobody watches must all arrive, once, after resuming.
        await c.CreateNamespacedConfigMapAsync(Cm("w2"), t.Namespace);
        var w1 = await c.ReadNamespacedConfigMapAsync("w1", t.Namespace);
        w1.Data = new Dictionary<string, string> { ["x"] = "y" };
        await c.ReplaceNamespacedConfigMapAsync(w1, "w1", t.Namespace);
        await c.DeleteNamespacedConfigMapAsync("w2", t.Namespace);

        var seen = new List<string>();
        await foreach (var ev in t.Connection.WatchAsync(KubeResources.ConfigMaps, t.Namespace, resume, options, cancellationToken: cts.Token))
        {
            if (ev.Type == WatchEventType.Bookmark)
            {
                continue;
            }

            seen.Add($"{ev.Type}:{ev.Item.Metadata.Name}");
            if (seen.Count == 3)
            {
                break;
            }
        }

        Assert.Equal(["Added:w2", "Modified:w1", "Deleted:w2"], seen);
    }
}
