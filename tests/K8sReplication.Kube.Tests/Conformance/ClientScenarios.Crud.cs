using k8s;
using k8s.Autorest;
using k8s.Models;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Resources;

namespace K8sReplication.Kube.Tests.Conformance;

public static partial class ClientScenarios
{
    public static async Task Crud(ClientTarget t)
    {
        var c = t.Client.CoreV1;
        var created = await c.CreateNamespacedConfigMapAsync(Cm("crud", data: new Dictionary<string, string> { ["a"] = "1" }), t.Namespace);
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));
        Assert.NotNull(created.Metadata.CreationTimestamp);

        var read = await c.ReadNamespacedConfigMapAsync("crud", t.Namespace);
        Assert.Equal("1", read.Data["a"]);

        read.Data["b"] = "2";
        var replaced = await c.ReplaceNamespacedConfigMapAsync(read, "crud", t.Namespace);
        Assert.NotEqual(read.Metadata.ResourceVersion, replaced.Metadata.ResourceVersion);

        var patched = await c.PatchNamespacedConfigMapAsync(MergePatch(new { data = new Dictionary<string, string?> { ["a"] = null, ["c"] = "3" } }),
            "crud", t.Namespace);
        Assert.Equal(new Dictionary<string, string> { ["b"] = "2", ["c"] = "3" }, patched.Data);

        await c.DeleteNamespacedConfigMapAsync("crud", t.Namespace);
        Assert.Null(await c.ReadNamespacedConfigMapAsync("crud", t.Namespace).NullWhenNotFound());
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => c.ReadNamespacedConfigMapAsync("crud", t.Namespace));
        Assert.True(missing.IsNotFound());
        Assert.Equal("NotFound", missing.Status()?.Reason);
        var deleteAgain = await Assert.ThrowsAsync<HttpOperationException>(() => c.DeleteNamespacedConfigMapAsync("crud", t.Namespace));
        Assert.True(deleteAgain.IsNotFound());
    }

    public static async Task SecretsRoundTrip(ClientTarget t)
    {
        var secret = new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "s" },
            Data = new Dictionary<string, byte[]> { ["token"] = [0, 1, 2, 255] },
        };
        await t.Client.CoreV1.CreateNamespacedSecretAsync(secret, t.Namespace);
        var read = await t.Client.CoreV1.ReadNamespacedSecretAsync("s", t.Namespace);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, read.Data["token"]);
        Assert.Equal("Opaque", read.Type ?? "Opaque");
    }

    public static async Task Selectors(ClientTarget t)
    {
        var c = t.Client.CoreV1;
        await c.CreateNamespacedConfigMapAsync(Cm("one", new Dictionary<string, string> { ["tier"] = "a" }), t.Namespace);
        await c.CreateNamespacedConfigMapAsync(Cm("two", new Dictionary<string, string> { ["tier"] = "a", ["skip"] = "yes" }), t.Namespace);
        await c.CreateNamespacedConfigMapAsync(Cm("three", new Dictionary<string, string> { ["tier"] = "b" }), t.Namespace);

        async Task<string[]> Names(string? labels, string? fields = null) =>
            (await c.ListNamespacedConfigMapAsync(t.Namespace, labelSelector: labels, fieldSelector: fields)).Items.Select(i => i.Metadata.Name).Order().ToArray();

        Assert.Equal(["one", "two"], await Names("tier=a"));
        Assert.Equal(["one", "three"], await Names("tier in (a,b),!skip"));
        Assert.Equal(["three"], await Names(null, "metadata.name=three"));
        Assert.Equal(["two"], await Names("tier=a", "metadata.name!=one"));
        Assert.Empty(await Names("tier=c"));
    }

    public static async Task Paging(ClientTarget t)
    {
        var c = t.Client.CoreV1;
        var labels = new Dictionary<string, string> { ["paging"] = "yes" };
        for (var i = 0; i < 7; i++)
        {
            await c.CreateNamespacedConfigMapAsync(Cm($"page-{i}", labels), t.Namespace);
        }

        var first = await c.ListNamespacedConfigMapAsync(t.Namespace, labelSelector: "paging=yes", limit: 3);
        Assert.Equal(3, first.Items.Count);
        Assert.False(string.IsNullOrEmpty(first.Metadata.ContinueProperty));
        var second = await c.ListNamespacedConfigMapAsync(t.Namespace, labelSelector: "paging=yes", limit: 3, continueParameter: first.Metadata.ContinueProperty);
        var third = await c.ListNamespacedConfigMapAsync(t.Namespace, labelSelector: "paging=yes", limit: 3, continueParameter: second.Metadata.ContinueProperty);
        Assert.Equal(3, second.Items.Count);
        Assert.Single(third.Items);
        Assert.True(string.IsNullOrEmpty(third.Metadata.ContinueProperty));
        var pagedNames = first.Items.Concat(second.Items).Concat(third.Items).Select(i => i.Metadata.Name).ToHashSet();
        Assert.Equal(7, pagedNames.Count);

        // The informer's list: every page, the first page's snapshot version, items with their kind filled in.
        var all = await KubeResources.ConfigMaps.ListAllAsync(t.Client, t.Namespace, "paging=yes", null, CancellationToken.None);
        Assert.Equal(7, all.Items.Count);
        Assert.False(string.IsNullOrEmpty(all.ResourceVersion));
        Assert.All(all.Items, i => Assert.Equal(("v1", "ConfigMap"), (i.ApiVersion, i.Kind)));
    }

    public static async Task Conflicts(ClientTarget t)
    {
        var c = t.Client.CoreV1;
        await c.CreateNamespacedConfigMapAsync(Cm("cas", data: new Dictionary<string, string> { ["v"] = "0" }), t.Namespace);
        var exists = await Assert.ThrowsAsync<HttpOperationException>(() => c.CreateNamespacedConfigMapAsync(Cm("cas"), t.Namespace));
        Assert.True(exists.IsConflict());
        Assert.Equal("AlreadyExists", exists.Status()?.Reason);

        var a = await c.ReadNamespacedConfigMapAsync("cas", t.Namespace);
        var b = await c.ReadNamespacedConfigMapAsync("cas", t.Namespace);
        a.Data["v"] = "a";
        await c.ReplaceNamespacedConfigMapAsync(a, "cas", t.Namespace);
        b.Data["v"] = "b";
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => c.ReplaceNamespacedConfigMapAsync(b, "cas", t.Namespace));
        Assert.True(conflict.IsConflict());
        Assert.Equal("Conflict", conflict.Status()?.Reason);
        Assert.False(KubeApiErrors.IsTransientStatus(conflict.StatusCode()));

        // The documented recovery: re-read and retry.
        var fresh = await c.ReadNamespacedConfigMapAsync("cas", t.Namespace);
        Assert.Equal("a", fresh.Data["v"]);

        var precondition = await Assert.ThrowsAsync<HttpOperationException>(() => c.DeleteNamespacedConfigMapAsync("cas", t.Namespace,
            new V1DeleteOptions { Preconditions = new V1Preconditions { ResourceVersion = b.Metadata.ResourceVersion } }));
        Assert.True(precondition.IsConflict());
        Assert.NotNull(await c.ReadNamespacedConfigMapAsync("cas", t.Namespace).NullWhenNotFound());
    }
}
