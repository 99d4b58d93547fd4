using System.Net;
using System.Text.Json.Nodes;
using static K8sReplication.TestKit.Tests.Admission.WebhookCluster;

namespace K8sReplication.TestKit.Tests.Admission;

/// <summary>Which webhooks a write is sent to: namespaceSelector, objectSelector and rules.</summary>
public sealed class WebhookMatchingTests : WebhookClusterTest
{
    private async Task CreateNamespaceAsync(string name, Dictionary<string, string>? labels = null)
    {
        await Cluster.Http.CreateAsync("/api/v1/namespaces", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = Metadata(name, labels) });
    }

    private async Task CreatePodAsync(string ns, string name, Dictionary<string, string>? labels = null) =>
        await Cluster.Http.CreateAsync($"/api/v1/namespaces/{ns}/pods", Pod(name, labels));

    private List<string> PodsSeenAt(string path) =>
        [.. Cluster.Server.ReceivedAt(path).Select(r => r.Request["namespace"]!.GetValue<string>() + "/" + r.Request["name"]!.GetValue<string>())];

    [Fact]
    public async Task NamespaceSelector_MatchesTheNamespacesLabels()
    {
        await CreateNamespaceAsync("injected", new() { ["k8srepl.dev/inject"] = "enabled" });
        await CreateNamespaceAsync("plain");
        await Cluster.AddMutatingAsync("ns", Webhook("ns.k8srepl.dev", Cluster.UrlClient("/ns"), namespaceSelector: MatchLabels("k8srepl.dev/inject", "enabled")));

        await CreatePodAsync("injected", "a");
        await CreatePodAsync("plain", "b");
        Assert.Equal(["injected/a"], PodsSeenAt("/ns"));
    }

    [Fact]
    public async Task NamespaceSelector_WithExpressions_CanExcludeNamespacesByName()
    {
        await CreateNamespaceAsync("kept");
        var selector = new JsonObject
        {
            ["matchExpressions"] = new JsonArray(new JsonObject
            {
                ["key"] = "kubernetes.io/metadata.name",
                ["operator"] = "NotIn",
                ["values"] = new JsonArray("default"),
            }),
        };
        await Cluster.AddMutatingAsync("ns", Webhook("ns.k8srepl.dev", Cluster.UrlClient("/ns"), namespaceSelector: selector));

        await CreatePodAsync("default", "a");
        await CreatePodAsync("kept", "b");
        Assert.Equal(["kept/b"], PodsSeenAt("/ns"));
    }

    [Fact]
    public async Task NamespaceWrites_AreMatchedOnTheNamespacesOwnNewLabels()
    {
        await Cluster.AddMutatingAsync("ns", Webhook("ns.k8srepl.dev", Cluster.UrlClient("/ns"), rules: Rules("namespaces", "CREATE"),
            namespaceSelector: MatchLabels("team", "a")));

        await CreateNamespaceAsync("team-a", new() { ["team"] = "a" });
        await CreateNamespaceAsync("team-b", new() { ["team"] = "b" });
        var request = Assert.Single(Cluster.Server.ReceivedAt("/ns")).Request;
        Assert.Equal("team-a", request["name"]!.GetValue<string>());
        Assert.Equal("team-a", request["namespace"]!.GetValue<string>());
    }

    [Fact]
    public async Task ObjectSelector_MatchesTheNewOrTheOldObjectsLabels()
    {
        await Cluster.AddMutatingAsync("obj", Webhook("obj.k8srepl.dev", Cluster.UrlClient("/obj"), objectSelector: MatchLabels("inject", "true")));

        await CreatePodAsync("default", "labelled", new() { ["inject"] = "true" });
        await CreatePodAsync("default", "unlabelled");
        Assert.Equal(["default/labelled"], PodsSeenAt("/obj"));

        // Removing the label: the old object still matches, so the update is sent too.
        var (status, _) = await Cluster.Http.PatchAsync(PodsPath + "/labelled", """{"metadata":{"labels":{"inject":null}}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var update = Cluster.Server.ReceivedAt("/obj")[^1].Request;
        Assert.Equal("UPDATE", update["operation"]!.GetValue<string>());
        Assert.Null(update["object"]!["metadata"]!["labels"]?["inject"]);

        var (unchangedStatus, _) = await Cluster.Http.PatchAsync(PodsPath + "/unlabelled", """{"metadata":{"annotations":{"a":"b"}}}""");
        Assert.Equal(HttpStatusCode.OK, unchangedStatus);
        Assert.Equal(2, Cluster.Server.ReceivedAt("/obj").Count);
    }

    [Fact]
    public async Task Rules_SelectByResourceAndOperation()
    {
        await Cluster.AddMutatingAsync("rules",
            Webhook("configmaps.k8srepl.dev", Cluster.UrlClient("/configmaps"), rules: Rules("configmaps", "CREATE")),
            Webhook("pod-updates.k8srepl.dev", Cluster.UrlClient("/pod-updates"), rules: Rules("pods", "UPDATE")),
            Webhook("everything.k8srepl.dev", Cluster.UrlClient("/everything"), rules: new JsonArray(new JsonObject
            {
                ["apiGroups"] = new JsonArray("*"),
                ["apiVersions"] = new JsonArray("*"),
                ["operations"] = new JsonArray("*"),
                ["resources"] = new JsonArray("*"),
                ["scope"] = "Namespaced",
            })));

        await CreatePodAsync("default", "p");
        await Cluster.Http.CreateAsync("/api/v1/namespaces/default/configmaps", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "c" },
        });
        await Cluster.Http.PatchAsync(PodsPath + "/p", """{"metadata":{"labels":{"x":"y"}}}""");
        await CreateNamespaceAsync("cluster-scoped-write");

        Assert.Equal(["CREATE"], Cluster.Server.ReceivedAt("/configmaps").Select(r => r.Request["operation"]!.GetValue<string>()));
        Assert.Equal(["UPDATE"], Cluster.Server.ReceivedAt("/pod-updates").Select(r => r.Request["operation"]!.GetValue<string>()));
        Assert.Equal(["pods", "configmaps", "pods"], Cluster.Server.ReceivedAt("/everything").Select(r => r.Request["resource"]!["resource"]!.GetValue<string>()));
    }

    [Fact]
    public async Task WebhookConfigurations_AreNeverSentToWebhooks()
    {
        var all = new JsonArray(new JsonObject
        {
            ["apiGroups"] = new JsonArray("*"),
            ["apiVersions"] = new JsonArray("*"),
            ["operations"] = new JsonArray("*"),
            ["resources"] = new JsonArray("*"),
        });
        Cluster.Server.Handle("/deny-all", review => WebhookServer.Deny(review, "no", 403));
        await Cluster.AddMutatingAsync("deny-all", Webhook("deny-all.k8srepl.dev", Cluster.UrlClient("/deny-all"), rules: all));

        // Otherwise a broken webhook could never be fixed.
        var (patched, _) = await Cluster.Http.PatchAsync(MutatingPath + "/deny-all", """{"metadata":{"labels":{"fixed":"true"}}}""");
        Assert.Equal(HttpStatusCode.OK, patched);
        Assert.Empty(Cluster.Server.Received);
        Assert.Equal(HttpStatusCode.Forbidden, (await Cluster.Http.PostAsync(PodsPath, Pod("denied"))).Status);
    }
}
