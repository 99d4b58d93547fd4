using System.Text.Json.Nodes;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Models;
using K8sReplication.TestKit;

namespace K8sReplication.Kube.Tests.Conformance;

public static partial class ClientScenarios
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task StatusSubresource(ClientTarget t)
    {
        var c = t.Client;
        await Widgets.EnsureCrdAsync(c, t.Namespace);
        var created = await c.CreateAsync(Widgets.Type, new Widget
        {
            Metadata = new ObjectMeta { Name = "w", Namespace = t.Namespace },
            Spec = new WidgetSpec { Size = 2 },
            Status = new WidgetStatus { Ready = 99 },
        });
        Assert.Equal("conformance.k8srepl.dev/v1", created.ApiVersion);
        Assert.Equal(1, created.Metadata.Generation);
        Assert.True(created.Status is null || created.Status.Ready == 0, "status is ignored on create");

        created.Status = new WidgetStatus { Ready = 1, ObservedGeneration = created.Metadata.Generation };
        var withStatus = await c.ReplaceStatusAsync(Widgets.Type, created);
        Assert.Equal(1, withStatus.Status!.Ready);
        Assert.Equal(1, withStatus.Metadata.Generation); // status writes never bump generation

        withStatus.Status.Ready = 42;
        withStatus.Spec!.Size = 3;
        var replaced = await c.ReplaceAsync(Widgets.Type, withStatus);
        Assert.Equal(1, replaced.Status!.Ready); // the main resource ignores status
        Assert.Equal(3, replaced.Spec!.Size);
        Assert.Equal(2, replaced.Metadata.Generation);

        var patched = await c.PatchStatusAsync(Widgets.Type, "w", new JsonObject { ["status"] = new JsonObject { ["ready"] = 3 } }, t.Namespace);
        Assert.Equal(3, patched.Status!.Ready);
        Assert.Equal(3, patched.Spec!.Size);
        Assert.Equal(2, patched.Metadata.Generation);

        var stale = await Assert.ThrowsAnyAsync<KubeApiException>(() => c.ReplaceStatusAsync(Widgets.Type, created));
        Assert.True(stale.IsConflict);
    }

    public static async Task FinalizerFlow(ClientTarget t)
    {
        var c = t.Client;
        var cm = Cm("held", t.Namespace);
        cm.Metadata.Finalizers = ["conformance.k8srepl.dev/hold"];
        await c.CreateAsync(ResourceTypes.ConfigMaps, cm);

        var deleting = await c.DeleteAsync(ResourceTypes.ConfigMaps, "held", t.Namespace);
        Assert.NotNull(deleting);
        Assert.NotNull(deleting!.Metadata.DeletionTimestamp);
        var stillThere = await c.GetAsync(ResourceTypes.ConfigMaps, "held", t.Namespace);
        Assert.NotNull(stillThere.Metadata.DeletionTimestamp);

        await c.PatchAsync(ResourceTypes.ConfigMaps, "held", new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = null } }, t.Namespace);
        await Eventually.ValueAsync(() => c.TryGetAsync(ResourceTypes.ConfigMaps, "held", t.Namespace), o => o is null, Patience,
            "the object goes once its last finalizer is removed");
    }

    public static async Task OwnedObjectsAreCollected(ClientTarget t)
    {
        var c = t.Client;
        var owner = await c.CreateAsync(ResourceTypes.ConfigMaps, Cm("owner", t.Namespace));
        var child = Cm("child", t.Namespace);
        child.Metadata.OwnerReferences =
        [
            new OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid!, Controller = true },
        ];
        await c.CreateAsync(ResourceTypes.ConfigMaps, child);
        await c.CreateAsync(ResourceTypes.ConfigMaps, Cm("bystander", t.Namespace));

        await c.DeleteAsync(ResourceTypes.ConfigMaps, "owner", t.Namespace, new DeleteOptions { PropagationPolicy = PropagationPolicy.Background });
        await Eventually.ValueAsync(() => c.TryGetAsync(ResourceTypes.ConfigMaps, "child", t.Namespace), o => o is null, Patience,
            "the garbage collector deletes the owned object");
        Assert.NotNull(await c.TryGetAsync(ResourceTypes.ConfigMaps, "bystander", t.Namespace));
    }
}
