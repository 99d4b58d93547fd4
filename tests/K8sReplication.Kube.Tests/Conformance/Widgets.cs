using System.Text.Json.Nodes;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Models;
using K8sReplication.TestKit;

namespace K8sReplication.Kube.Tests.Conformance;

public static class Widgets
{
    public static readonly ResourceType<Widget> Type =
        new("conformance.k8srepl.dev", "v1", "widgets", "Widget", namespaced: true, WidgetJsonContext.Default.Widget);

    /// <summary>Applies the Widget CRD (status subresource, small schema) and waits until it is served.</summary>
    public static async Task EnsureCrdAsync(KubeClient client, string ns)
    {
        var crd = new CustomResourceDefinition
        {
            Metadata = new ObjectMeta { Name = "widgets.conformance.k8srepl.dev" },
            Spec = JsonNode.Parse("""
                {"group":"conformance.k8srepl.dev","scope":"Namespaced",
                 "names":{"plural":"widgets","singular":"widget","kind":"Widget","listKind":"WidgetList"},
                 "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
                   "schema":{"openAPIV3Schema":{"type":"object","properties":{
                     "spec":{"type":"object","properties":{"size":{"type":"integer","minimum":0}}},
                     "status":{"type":"object","properties":{"ready":{"type":"integer"},"observedGeneration":{"type":"integer"}}}}}}}]}
                """)!.AsObject(),
        };
        try
        {
            await client.CreateAsync(ResourceTypes.CustomResourceDefinitions, crd);
        }
        catch (KubeApiException ex) when (ex.IsConflict)
        {
            // already applied (shared by scenarios on a real cluster)
        }

        await Eventually.ValueAsync(async () =>
        {
            try
            {
                await client.ListAsync(Type, ns);
                return true;
            }
            catch (KubeApiException ex) when (ex.IsNotFound)
            {
                return false;
            }
        }, ok => ok, TimeSpan.FromSeconds(30), "the Widget CRD is served");
    }
}
