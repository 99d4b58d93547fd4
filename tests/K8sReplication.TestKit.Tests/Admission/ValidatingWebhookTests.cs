using System.Net;
using System.Text.Json.Nodes;
using static K8sReplication.TestKit.Tests.Admission.WebhookCluster;

namespace K8sReplication.TestKit.Tests.Admission;

/// <summary>Validating webhooks: called after mutation with the object as it will be stored; they may only allow or deny.</summary>
public sealed class ValidatingWebhookTests : WebhookClusterTest
{
    [Fact]
    public async Task ValidatingWebhook_SeesTheMutatedObject_AndCanDenyIt()
    {
        Cluster.Server.Handle("/mutate", review => WebhookServer.Patch(review, new JsonArray(
            new JsonObject { ["op"] = "add", ["path"] = "/metadata/labels", ["value"] = new JsonObject { ["mutated"] = "yes" } })));
        Cluster.Server.Handle("/validate", review =>
            review["request"]!["object"]!["metadata"]!["name"]!.GetValue<string>() == "bad"
                ? WebhookServer.Deny(review, "bad pods are refused", 422)
                : WebhookServer.Allow(review));
        await Cluster.AddValidatingAsync("validator", Webhook("validate.k8srepl.dev", Cluster.UrlClient("/validate")));
        await Cluster.AddMutatingAsync("mutator", Webhook("mutate.k8srepl.dev", Cluster.UrlClient("/mutate")));

        await Cluster.Http.CreateAsync(PodsPath, Pod("good"));
        var validated = Assert.Single(Cluster.Server.ReceivedAt("/validate")).Request["object"]!;
        Assert.Equal("yes", validated["metadata"]!["labels"]!["mutated"]!.GetValue<string>());
        Assert.Equal("Pending", validated["status"]!["phase"]!.GetValue<string>());
        Assert.Equal(["/mutate", "/validate"], Cluster.Server.Received.Select(r => r.Path));

        var (status, body) = await Cluster.Http.PostAsync(PodsPath, Pod("bad"));
        Assert.Equal((HttpStatusCode)422, status);
        Assert.Equal("admission webhook \"validate.k8srepl.dev\" denied the request: bad pods are refused", body["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await Cluster.Http.GetAsync(PodsPath + "/bad")).Status);
    }

    [Fact]
    public async Task ValidatingWebhook_ReturningAPatch_IsAFailedCall()
    {
        Cluster.Server.Handle("/validate", review => WebhookServer.Patch(review, new JsonArray(
            new JsonObject { ["op"] = "add", ["path"] = "/metadata/labels", ["value"] = new JsonObject { ["sneaky"] = "yes" } })));
        await Cluster.AddValidatingAsync("validator", Webhook("validate.k8srepl.dev", Cluster.UrlClient("/validate")));

        var (status, body) = await Cluster.Http.PostAsync(PodsPath, Pod("p"));
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Equal("Internal error occurred: failed calling webhook \"validate.k8srepl.dev\": received invalid webhook response: validating webhook may not return response.patch", body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task ValidatingWebhook_OnUpdate_SeesOldAndNewObjects()
    {
        await Cluster.Http.CreateAsync(PodsPath, Pod("u"));
        await Cluster.AddValidatingAsync("validator", Webhook("validate.k8srepl.dev", Cluster.UrlClient("/validate")));

        var (status, _) = await Cluster.Http.PatchAsync(PodsPath + "/u", """{"metadata":{"labels":{"v":"2"}}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        var request = Assert.Single(Cluster.Server.ReceivedAt("/validate")).Request;
        Assert.Equal("UPDATE", request["operation"]!.GetValue<string>());
        Assert.Equal("2", request["object"]!["metadata"]!["labels"]!["v"]!.GetValue<string>());
        Assert.Null(request["oldObject"]!["metadata"]!["labels"]);
    }
}
