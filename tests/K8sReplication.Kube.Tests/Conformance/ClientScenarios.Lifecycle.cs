using k8s;
using k8s.Autorest;
using k8s.Models;
using K8sReplication.Kube.Client;
using K8sReplication.TestKit;

namespace K8sReplication.Kube.Tests.Conformance;

public static partial class ClientScenarios
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task StatusSubresource(ClientTarget t)
    {
        var c = t.Client;
        await Widgets.EnsureCrdAsync(c, t.Namespace);
        var created = await Widgets.CreateAsync(c, new Widget
        {
            Metadata = new V1ObjectMeta { Name = "w" },
            Spec = new WidgetSpec { Size = 2 },
            Status = new WidgetStatus { Ready = 99 },
        }, t.Namespace);
        Assert.Equal("conformance.k8srepl.dev/v1", created.ApiVersion);
        Assert.Equal(1, created.Metadata.Generation);
        Assert.True(created.Status is null || created.Status.Ready == 0, "status is ignored on create");

        created.Status = new WidgetStatus { Ready = 1, ObservedGeneration = created.Metadata.Generation };
        var withStatus = await Widgets.ReplaceStatusAsync(c, created, t.Namespace);
        Assert.Equal(1, withStatus.Status!.Ready);
        Assert.Equal(1, withStatus.Metadata.Generation); // status writes never bump generation

        withStatus.Status.Ready = 42;
        withStatus.Spec!.Size = 3;
        var replaced = await Widgets.ReplaceAsync(c, withStatus, t.Namespace);
        Assert.Equal(1, replaced.Status!.Ready); // the main resource ignores status
        Assert.Equal(3, replaced.Spec!.Size);
        Assert.Equal(2, replaced.Metadata.Generation);

        var patched = await Widgets.PatchStatusAsync(c, "w", MergePatch(new { status = new { ready = 3 } }), t.Namespace);
        Assert.Equal(3, patched.Status!.Ready);
        Assert.Equal(3, patched.Spec!.Size);
        Assert.Equal(2, patched.Metadata.Generation);

        var stale = await Assert.ThrowsAsync<HttpOperationException>(() => Widgets.ReplaceStatusAsync(c, created, t.Namespace));
        Assert.True(stale.IsConflict());

        // The informer reads the custom resource as the same typed object.
        var listed = Assert.Single((await Widgets.Type.ListAllAsync(c, t.Namespace, null, null, CancellationToken.None)).Items);
        Assert.Equal((3, 3, "Widget"), (listed.Spec!.Size, listed.Status!.Ready, listed.Kind));
    }

    public static async Task FinalizerFlow(ClientTarget t)
    {
        var c = t.Client.CoreV1;
        var cm = Cm("held");
        cm.Metadata.Finalizers = ["conformance.k8srepl.dev/hold"];
        await c.CreateNamespacedConfigMapAsync(cm, t.Namespace);

        await c.DeleteNamespacedConfigMapAsync("held", t.Namespace);
        var stillThere = await c.ReadNamespacedConfigMapAsync("held", t.Namespace);
        Assert.NotNull(stillThere.Metadata.DeletionTimestamp);

        await c.PatchNamespacedConfigMapAsync(MergePatch(new { metadata = new { finalizers = (string[]?)null } }), "held", t.Namespace);
        await Eventually.ValueAsync(() => c.ReadNamespacedConfigMapAsync("held", t.Namespace).NullWhenNotFound(), o => o is null, Patience,
            "the object goes once its last finalizer is removed");
    }

    public static async Task OwnedObjectsAreCollected(ClientTarget t)
    {
        var c = t.Client.CoreV1;
        var owner = await c.CreateNamespacedConfigMapAsync(Cm("owner"), t.Namespace);
        var child = Cm("child");
        child.Metadata.OwnerReferences =
        [
            new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "owner", Uid = owner.Metadata.Uid, Controller = true },
        ];
        await c.CreateNamespacedConfigMapAsync(child, t.Namespace);
        await c.CreateNamespacedConfigMapAsync(Cm("bystander"), t.Namespace);

        await c.DeleteNamespacedConfigMapAsync("owner", t.Namespace, propagationPolicy: "Background");
        await Eventually.ValueAsync(() => c.ReadNamespacedConfigMapAsync("child", t.Namespace).NullWhenNotFound(), o => o is null, Patience,
            "the garbage collector deletes the owned object");
        Assert.NotNull(await c.ReadNamespacedConfigMapAsync("bystander", t.Namespace).NullWhenNotFound());
    }
}
