using K8sReplication.Kube.Client;
using K8sReplication.Kube.Watch;

namespace K8sReplication.Kube.Tests.Conformance;

public static partial class ClientScenarios
{
    public static async Task WatchResumesWithoutGapsOrDuplicates(ClientTarget t)
    {
        var c = t.Client;
        var options = new WatchOptions { ServerTimeout = TimeSpan.FromSeconds(60) };
        var list = await c.ListAllAsync(ResourceTypes.ConfigMaps, t.Namespace);
        await c.CreateAsync(ResourceTypes.ConfigMaps, Cm("w1", t.Namespace));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string? resume = null;
        await foreach (var ev in c.WatchOnceAsync(ResourceTypes.ConfigMaps, t.Namespace, list.ResourceVersion, options, cts.Token))
        {
            if (ev.Type == WatchEventType.Added && ev.Item.Metadata.Name == "w1")
            {
                resume = ev.ResourceVersion;
                break;
            }
        }

        Assert.NotNull(resume);

        // Changes made while nobody watches must all arrive, once, after resuming.
        await c.CreateAsync(ResourceTypes.ConfigMaps, Cm("w2", t.Namespace));
        var w1 = await c.GetAsync(ResourceTypes.ConfigMaps, "w1", t.Namespace);
        w1.Data = new Dictionary<string, string> { ["x"] = "y" };
        await c.ReplaceAsync(ResourceTypes.ConfigMaps, w1);
        await c.DeleteAsync(ResourceTypes.ConfigMaps, "w2", t.Namespace);

        var seen = new List<string>();
        await foreach (var ev in c.WatchAsync(ResourceTypes.ConfigMaps, t.Namespace, resume, options, cts.Token))
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
