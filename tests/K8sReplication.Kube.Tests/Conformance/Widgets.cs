using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Resources;
using K8sReplication.TestKit;

namespace K8sReplication.Kube.Tests.Conformance;

public static class Widgets
{
    public const string Group = "conformance.k8srepl.dev";
    public const string Version = "v1";
    public const string Plural = "widgets";

    public static readonly KubeResource<Widget> Type = KubeResources.Custom<Widget>(Group, Version, Plural, "Widget");

    /// <summary>Applies the Widget CRD (status subresource, small schema) and waits until it is served.</summary>
    public static async Task EnsureCrdAsync(IKubernetes client, string ns)
    {
        var crd = KubernetesJson.Deserialize<V1CustomResourceDefinition>("""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.conformance.k8srepl.dev"},
             "spec":{"group":"conformance.k8srepl.dev","scope":"Namespaced",
              "names":{"plural":"widgets","singular":"widget","kind":"Widget","listKind":"WidgetList"},
              "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
                "schema":{"openAPIV3Schema":{"type":"object","properties":{
                  "spec":{"type":"object","properties":{"size":{"type":"integer","minimum":0}}},
                  "status":{"type":"object","properties":{"ready":{"type":"integer"},"observedGeneration":{"type":"integer"}}}}}}}]}}
            """);
        try
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        }
        catch (HttpOperationException ex) when (ex.IsConflict())
        {
            // already applied (shared by scenarios on a real cluster)
        }

        await Eventually.ValueAsync(async () =>
        {
            try
            {
                await client.CustomObjects.ListNamespacedCustomObjectAsync(Group, Version, ns, Plural);
                return true;
            }
            catch (HttpOperationException ex) when (ex.IsNotFound())
            {
                return false;
            }
        }, ok => ok, TimeSpan.FromSeconds(30), "the Widget CRD is served");
    }

    public static async Task<Widget> CreateAsync(IKubernetes client, Widget widget, string ns) =>
        Read(await client.CustomObjects.CreateNamespacedCustomObjectAsync(widget, Group, Version, ns, Plural));

    public static async Task<Widget> ReplaceAsync(IKubernetes client, Widget widget, string ns) =>
        Read(await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(widget, Group, Version, ns, Plural, widget.Metadata.Name));

    public static async Task<Widget> ReplaceStatusAsync(IKubernetes client, Widget widget, string ns) =>
        Read(await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(widget, Group, Version, ns, Plural, widget.Metadata.Name));

    public static async Task<Widget> PatchStatusAsync(IKubernetes client, string name, V1Patch patch, string ns) =>
        Read(await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(patch, Group, Version, ns, Plural, name));

    private static Widget Read(object body) => KubernetesJson.Deserialize<Widget>((JsonElement)body);
}
