using System.Text.Json.Nodes;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Models;

namespace K8sReplication.Kube.Tests.Conformance;

public static partial class ClientScenarios
{
    public static async Task Crud(ClientTarget t)
    {
        var c = t.Client;
        var created = await c.CreateAsync(ResourceTypes.ConfigMaps, Cm("crud", t.Namespace, data: new Dictionary<string, string> { ["a"] = "1" }));
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        Assert.NotNull(created.Metadata.CreationTimestamp);

        var read = await c.GetAsync(ResourceTypes.ConfigMaps, "crud", t.Namespace);
        Assert.Equal("1", read.Data!["a"]);

        read.Data["b"] = "2";
        var replaced = await c.ReplaceAsync(ResourceTypes.ConfigMaps, read);
        Assert.NotEqual(read.Metadata.ResourceVersion, replaced.Metadata.ResourceVersion);

        var patched = await c.PatchAsync(ResourceTypes.ConfigMaps, "crud",
            new JsonObject { ["data"] = new JsonObject { ["a"] = null, ["c"] = "3" } }, t.Namespace);
        Assert.Equal(new Dictionary<string, string> { ["b"] = "2", ["c"] = "3" }, patched.Data);

        Assert.Null(await c.DeleteAsync(ResourceTypes.ConfigMaps, "crud", t.Namespace));
        Assert.Null(await c.TryGetAsync(ResourceTypes.ConfigMaps, "crud", t.Namespace));
        var missing = await Assert.ThrowsAnyAsync<KubeApiException>(() => c.GetAsync(ResourceTypes.ConfigMaps, "crud", t.Namespace));
        Assert.True(missing.IsNotFound);
        Assert.Equal("NotFound", missing.Reason);
        var deleteAgain = await Assert.ThrowsAnyAsync<KubeApiException>(() => c.DeleteAsync(ResourceTypes.ConfigMaps, "crud", t.Namespace));
        Assert.True(deleteAgain.IsNotFound);
    }

    public static async Task SecretsRoundTrip(ClientTarget t)
    {
        var secret = new Secret
        {
            Metadata = new ObjectMeta { Name = "s", Namespace = t.Namespace },
            Data = new Dictionary<string, byte[]> { ["token"] = [0, 1, 2, 255] },
        };
        await t.Client.CreateAsync(ResourceTypes.Secrets, secret);
        var read = await t.Client.GetAsync(ResourceTypes.Secrets, "s", t.Namespace);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, read.Data!["token"]);
        Assert.Equal("Opaque", read.Type ?? "Opaque");
    }

    public static async Task Selectors(ClientTarget t)
    {
        var c = t.Client;
        await c.CreateAsync(ResourceTypes.ConfigMaps, Cm("one", t.Namespace, new Dictionary<string, string> { ["tier"] = "a" }));
        await c.CreateAsync(ResourceTypes.ConfigMaps, Cm("two", t.Namespace, new Dictionary<string, string> { ["tier"] = "a", ["skip"] = "yes" }));
        await c.CreateAsync(ResourceTypes.ConfigMaps, Cm("three", t.Namespace, new Dictionary<string, string> { ["tier"] = "b" }));

        async Task<string[]> Names(ListOptions o) =>
            (await c.ListAsync(ResourceTypes.ConfigMaps, t.Namespace, o)).Items.Select(i => i.Metadata.Name!).Order().ToArray();

        Assert.Equal(["one", "two"], await Names(new ListOptions { LabelSelector = "tier=a" }));
        var selector = new LabelSelector
        {
            MatchExpressions =
            [
                new LabelSelectorRequirement { Key = "tier", Operator = "In", Values = ["a", "b"] },
                new LabelSelectorRequirement { Key = "skip", Operator = "DoesNotExist" },
            ],
        };
        Assert.Equal(["one", "three"], await Names(new ListOptions { LabelSelector = selector.ToQueryString() }));
        Assert.Equal(["three"], await Names(new ListOptions { FieldSelector = "metadata.name=three" }));
        Assert.Equal(["two"], await Names(new ListOptions { LabelSelector = "tier=a", FieldSelector = "metadata.name!=one" }));
        Assert.Empty(await Names(new ListOptions { LabelSelector = "tier=c" }));
    }

    public static async Task Paging(ClientTarget t)
    {
        var c = t.Client;
        var labels = new Dictionary<string, string> { ["paging"] = "yes" };
        for (var i = 0; i < 7; i++)
        {
            await c.CreateAsync(ResourceTypes.ConfigMaps, Cm($"page-{i}", t.Namespace, labels));
        }

        var options = new ListOptions { LabelSelector = "paging=yes", Limit = 3 };
        var first = await c.ListAsync(ResourceTypes.ConfigMaps, t.Namespace, options);
        Assert.Equal(3, first.Items.Count);
        Assert.NotNull(first.Continue);
        var second = await c.ListAsync(ResourceTypes.ConfigMaps, t.Namespace, options with { Continue = first.Continue });
        var third = await c.ListAsync(ResourceTypes.ConfigMaps, t.Namespace, options with { Continue = second.Continue });
        Assert.Equal(3, second.Items.Count);
        Assert.Single(third.Items);
        Assert.Null(third.Continue);
        var pagedNames = first.Items.Concat(second.Items).Concat(third.Items).Select(i => i.Metadata.Name).ToHashSet();
        Assert.Equal(7, pagedNames.Count);

        var all = await c.ListAllAsync(ResourceTypes.ConfigMaps, t.Namespace, new ListOptions { LabelSelector = "paging=yes", Limit = 2 });
        Assert.Equal(7, all.Items.Count);
        Assert.False(string.IsNullOrEmpty(all.ResourceVersion));
        Assert.All(all.Items, i => Assert.Equal("ConfigMap", i.Kind));
    }

    public static async Task Conflicts(ClientTarget t)
    {
        var c = t.Client;
        await c.CreateAsync(ResourceTypes.ConfigMaps, Cm("cas", t.Namespace, data: new Dictionary<string, string> { ["v"] = "0" }));
        var exists = await Assert.ThrowsAnyAsync<KubeApiException>(() =>
            c.CreateAsync(ResourceTypes.ConfigMaps, Cm("cas", t.Namespace)));
        Assert.True(exists.IsConflict);
        Assert.Equal("AlreadyExists", exists.Reason);

        var a = await c.GetAsync(ResourceTypes.ConfigMaps, "cas", t.Namespace);
        var b = await c.GetAsync(ResourceTypes.ConfigMaps, "cas", t.Namespace);
        a.Data!["v"] = "a";
        await c.ReplaceAsync(ResourceTypes.ConfigMaps, a);
        b.Data!["v"] = "b";
        var conflict = await Assert.ThrowsAnyAsync<KubeApiException>(() => c.ReplaceAsync(ResourceTypes.ConfigMaps, b));
        Assert.True(conflict.IsConflict);
        Assert.Equal("Conflict", conflict.Reason);
        Assert.False(conflict.IsTransient);

        // The documented recovery: re-read and retry.
        var fresh = await c.GetAsync(ResourceTypes.ConfigMaps, "cas", t.Namespace);
        Assert.Equal("a", fresh.Data!["v"]);

        var precondition = await Assert.ThrowsAnyAsync<KubeApiException>(() => c.DeleteAsync(ResourceTypes.ConfigMaps, "cas", t.Namespace,
            new DeleteOptions { Preconditions = new Preconditions { ResourceVersion = b.Metadata.ResourceVersion } }));
        Assert.True(precondition.IsConflict);
        Assert.NotNull(await c.TryGetAsync(ResourceTypes.ConfigMaps, "cas", t.Namespace));
    }
}
