using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using static K8sReplication.TestKit.Tests.Admission.WebhookCluster;

namespace K8sReplication.TestKit.Tests.Admission;

/// <summary>
/// Mutating admission webhooks called by the emulator the way kube-apiserver calls them: a real HTTPS webhook, the
/// real kubectl and the official client writing pods.
/// </summary>
public sealed class MutatingWebhookTests : WebhookClusterTest
{
    /// <summary>Adds an init container and a label: what a sidecar injector does.</summary>
    private static JsonObject Inject(JsonObject review) => WebhookServer.Patch(review, new JsonArray(
        new JsonObject { ["op"] = "add", ["path"] = "/metadata/labels/injected", ["value"] = "true" },
        new JsonObject
        {
            ["op"] = "add",
            ["path"] = "/spec/initContainers",
            ["value"] = new JsonArray(new JsonObject { ["name"] = "sidecar", ["image"] = "sidecar:1", ["restartPolicy"] = "Always" }),
        }));

    [Fact]
    public async Task KubectlApply_OfAPlainPod_StoresTheWebhooksPatch()
    {
        Cluster.Server.Handle("/inject", Inject);
        await Cluster.AddMutatingAsync("injector", Webhook("inject.k8srepl.dev", Cluster.ServiceClient("/inject")));

        var applied = await Cluster.KubectlOkAsync("apply", "-f", Cluster.Kubectl.WriteManifest("pod.yaml", PlainPodYaml));
        Assert.Contains("pod/plain created", applied.Stdout);

        var got = await Cluster.KubectlOkAsync("get", "pod", "plain", "-o", "json");
        var pod = JsonNode.Parse(got.Stdout)!;
        Assert.Equal("true", pod["metadata"]!["labels"]!["injected"]!.GetValue<string>());
        Assert.Equal("orders", pod["metadata"]!["labels"]!["app"]!.GetValue<string>());
        Assert.Equal("sidecar:1", pod["spec"]!["initContainers"]![0]!["image"]!.GetValue<string>());
        Assert.Equal("Always", pod["spec"]!["initContainers"]![0]!["restartPolicy"]!.GetValue<string>());
        Assert.Equal("orders:1", pod["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
    }

    [Fact]
    public async Task AdmissionReview_OfACreate_CarriesTheRequestAsTheRealServerSendsIt()
    {
        await Cluster.AddMutatingAsync("injector", Webhook("inject.k8srepl.dev", Cluster.ServiceClient("/inject")));
        await Cluster.KubectlOkAsync("apply", "-f", Cluster.Kubectl.WriteManifest("pod.yaml", PlainPodYaml));

        var received = Assert.Single(Cluster.Server.ReceivedAt("/inject"));
        Assert.Equal("?timeout=10s", received.Query);
        Assert.Equal("admission.k8s.io/v1", received.Review["apiVersion"]!.GetValue<string>());
        Assert.Equal("AdmissionReview", received.Review["kind"]!.GetValue<string>());
        var request = received.Request;
        Assert.True(Guid.TryParse(request["uid"]!.GetValue<string>(), out _));
        Assert.Equal("""{"group":"","version":"v1","kind":"Pod"}""", request["kind"]!.ToJsonString());
        Assert.Equal("""{"group":"","version":"v1","resource":"pods"}""", request["resource"]!.ToJsonString());
        Assert.Equal(request["kind"]!.ToJsonString(), request["requestKind"]!.ToJsonString());
        Assert.Equal(request["resource"]!.ToJsonString(), request["requestResource"]!.ToJsonString());
        Assert.Equal("plain", request["name"]!.GetValue<string>());
        Assert.Equal("default", request["namespace"]!.GetValue<string>());
        Assert.Equal("CREATE", request["operation"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(request["userInfo"]!["username"]!.GetValue<string>()));
        Assert.False(request["dryRun"]!.GetValue<bool>());
        Assert.Null(request["oldObject"]);
        Assert.Equal("CreateOptions", request["options"]!["kind"]!.GetValue<string>());
        Assert.Equal("kubectl-client-side-apply", request["options"]!["fieldManager"]!.GetValue<string>());
        var sent = request["object"]!;
        Assert.Equal("Pod", sent["kind"]!.GetValue<string>());
        Assert.Equal("default", sent["metadata"]!["namespace"]!.GetValue<string>());
        Assert.Equal("orders:1", sent["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
    }

    [Fact]
    public async Task OfficialClient_CreateThenReplace_IsMutatedOnBoth_AndTheUpdateCarriesTheOldObject()
    {
        var calls = 0;
        Cluster.Server.Handle("/count", review => WebhookServer.Patch(review, new JsonArray(
            new JsonObject { ["op"] = "add", ["path"] = "/metadata/annotations", ["value"] = new JsonObject { ["calls"] = (++calls).ToString(System.Globalization.CultureInfo.InvariantCulture) } })));
        await Cluster.AddMutatingAsync("counter", Webhook("count.k8srepl.dev", Cluster.UrlClient("/count")));

        var created = await Cluster.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "app:1" }] },
        }, "default");
        Assert.Equal("1", created.Metadata.Annotations["calls"]);

        created.Spec.Containers[0].Image = "app:2";
        var replaced = await Cluster.Client.CoreV1.ReplaceNamespacedPodAsync(created, "p", "default");
        Assert.Equal("2", replaced.Metadata.Annotations["calls"]);
        Assert.Equal("app:2", replaced.Spec.Containers[0].Image);

        var update = Cluster.Server.ReceivedAt("/count")[1].Request;
        Assert.Equal("UPDATE", update["operation"]!.GetValue<string>());
        Assert.Equal("UpdateOptions", update["options"]!["kind"]!.GetValue<string>());
        Assert.Equal("app:1", update["oldObject"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Equal("1", update["oldObject"]!["metadata"]!["annotations"]!["calls"]!.GetValue<string>());
        Assert.Equal("app:2", update["object"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Equal(created.Metadata.ResourceVersion, update["oldObject"]!["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task KubectlApply_OfAChangedPod_IsAPatch_AdmittedAsAnUpdate()
    {
        Cluster.Server.Handle("/inject", Inject);
        await Cluster.AddMutatingAsync("injector", Webhook("inject.k8srepl.dev", Cluster.ServiceClient("/inject")));
        await Cluster.KubectlOkAsync("apply", "-f", Cluster.Kubectl.WriteManifest("pod.yaml", PlainPodYaml));

        var changed = PlainPodYaml.Replace("app: orders}", "app: orders, tier: db}", StringComparison.Ordinal);
        var configured = await Cluster.KubectlOkAsync("apply", "-f", Cluster.Kubectl.WriteManifest("pod.yaml", changed));
        Assert.Contains("pod/plain configured", configured.Stdout);

        var update = Cluster.Server.ReceivedAt("/inject")[^1].Request;
        Assert.Equal("UPDATE", update["operation"]!.GetValue<string>());
        Assert.Equal("db", update["object"]!["metadata"]!["labels"]!["tier"]!.GetValue<string>());
        Assert.Null(update["oldObject"]!["metadata"]!["labels"]!["tier"]);
        Assert.Equal("true", update["oldObject"]!["metadata"]!["labels"]!["injected"]!.GetValue<string>());

        // The patch adding the label again is a no-op on the merged object; the init container stays single.
        var (_, pod) = await Cluster.Http.GetAsync(PodsPath + "/plain");
        Assert.Single(pod["spec"]!["initContainers"]!.AsArray());
        Assert.Equal("db", pod["metadata"]!["labels"]!["tier"]!.GetValue<string>());
    }

    [Fact]
    public async Task Webhooks_AreCalledInConfigurationNameOrder_EachSeeingThePreviousPatch()
    {
        Cluster.Server.Handle("/first", review => WebhookServer.Patch(review, new JsonArray(
            new JsonObject { ["op"] = "add", ["path"] = "/metadata/annotations", ["value"] = new JsonObject { ["order"] = "a" } })));
        Cluster.Server.Handle("/second", review =>
        {
            var seen = review["request"]!["object"]!["metadata"]!["annotations"]!["order"]!.GetValue<string>();
            return WebhookServer.Patch(review, new JsonArray(new JsonObject { ["op"] = "replace", ["path"] = "/metadata/annotations/order", ["value"] = seen + "b" }));
        });
        await Cluster.AddMutatingAsync("b-second", Webhook("second.k8srepl.dev", Cluster.UrlClient("/second")));
        await Cluster.AddMutatingAsync("a-first", Webhook("first.k8srepl.dev", Cluster.UrlClient("/first")));

        var created = await Cluster.Http.CreateAsync(PodsPath, Pod("ordered"));
        Assert.Equal("ab", created["metadata"]!["annotations"]!["order"]!.GetValue<string>());
        Assert.Equal(["/first", "/second"], Cluster.Server.Received.Select(r => r.Path));
    }

    [Fact]
    public async Task DryRun_CallsTheWebhookWithDryRunTrue_AndStoresNothing()
    {
        Cluster.Server.Handle("/inject", Inject);
        await Cluster.AddMutatingAsync("injector", Webhook("inject.k8srepl.dev", Cluster.ServiceClient("/inject")));

        var result = await Cluster.KubectlOkAsync("apply", "--dry-run=server", "-o", "json", "-f", Cluster.Kubectl.WriteManifest("pod.yaml", PlainPodYaml));
        Assert.Equal("sidecar", JsonNode.Parse(result.Stdout)!["spec"]!["initContainers"]![0]!["name"]!.GetValue<string>());
        var request = Assert.Single(Cluster.Server.ReceivedAt("/inject")).Request;
        Assert.True(request["dryRun"]!.GetValue<bool>());
        Assert.Equal("""["All"]""", request["options"]!["dryRun"]!.ToJsonString());
        Assert.Equal(HttpStatusCode.NotFound, (await Cluster.Http.GetAsync(PodsPath + "/plain")).Status);
    }

    [Fact]
    public async Task IfNeededWebhook_IsCalledAgain_WhenALaterWebhookChangedTheObject()
    {
        Cluster.Server.Handle("/later", review => WebhookServer.Patch(review, new JsonArray(
            new JsonObject { ["op"] = "add", ["path"] = "/metadata/labels", ["value"] = new JsonObject { ["later"] = "yes" } })));
        await Cluster.AddMutatingAsync("a", Webhook("reinvoked.k8srepl.dev", Cluster.UrlClient("/reinvoked"), reinvocationPolicy: "IfNeeded"));
        await Cluster.AddMutatingAsync("b", Webhook("later.k8srepl.dev", Cluster.UrlClient("/later")));

        await Cluster.Http.CreateAsync(PodsPath, Pod("again"));
        var calls = Cluster.Server.ReceivedAt("/reinvoked");
        Assert.Equal(2, calls.Count);
        Assert.Null(calls[0].Request["object"]!["metadata"]!["labels"]);
        Assert.Equal("yes", calls[1].Request["object"]!["metadata"]!["labels"]!["later"]!.GetValue<string>());
    }

    [Fact]
    public async Task Webhook_ThatWritesTheSameObject_IsCalledOutsideTheStoreLock_AndTheWriteIsAdmittedAgain()
    {
        await Cluster.Http.CreateAsync(PodsPath, Pod("raced"));
        var raced = 0;
        Cluster.Server.Handle("/racer", async (review, cancellationToken) =>
        {
            if (review["request"]!["operation"]!.GetValue<string>() == "UPDATE" && Interlocked.Increment(ref raced) == 1)
            {
                // A concurrent writer changes the pod while its update is being admitted.
                var (status, _) = await Cluster.Http.PatchAsync(PodsPath + "/raced", """{"metadata":{"annotations":{"concurrent":"yes"}}}""");
                Assert.Equal(HttpStatusCode.OK, status);
            }

            return WebhookServer.Allow(review);
        });
        await Cluster.AddMutatingAsync("racer", Webhook("racer.k8srepl.dev", Cluster.UrlClient("/racer")));

        var (patched, pod) = await Cluster.Http.PatchAsync(PodsPath + "/raced", """{"metadata":{"labels":{"mine":"yes"}}}""");
        Assert.Equal(HttpStatusCode.OK, patched);
        Assert.Equal("yes", pod["metadata"]!["labels"]!["mine"]!.GetValue<string>());
        Assert.Equal("yes", pod["metadata"]!["annotations"]!["concurrent"]!.GetValue<string>());

        // Called for the first attempt, for the concurrent patch, then again against the object that patch stored.
        var updates = Cluster.Server.ReceivedAt("/racer").Select(r => r.Request).Where(r => r["operation"]!.GetValue<string>() == "UPDATE").ToList();
        Assert.Equal(3, updates.Count);
        Assert.Null(updates[0]["oldObject"]!["metadata"]!["annotations"]);
        Assert.Equal("yes", updates[2]["oldObject"]!["metadata"]!["annotations"]!["concurrent"]!.GetValue<string>());
        Assert.Equal("yes", updates[2]["object"]!["metadata"]!["labels"]!["mine"]!.GetValue<string>());
    }

    [Fact]
    public async Task StatusWrites_AreNotSentToAWebhookForPods_OnlyToOneForPodsStatus()
    {
        await Cluster.AddMutatingAsync("pods", Webhook("pods.k8srepl.dev", Cluster.UrlClient("/pods"), rules: Rules("pods", "*")));
        await Cluster.AddMutatingAsync("status", Webhook("status.k8srepl.dev", Cluster.UrlClient("/status"), rules: Rules("pods/status", "UPDATE")));
        await Cluster.Http.CreateAsync(PodsPath, Pod("s"));

        var (status, _) = await Cluster.Http.PatchAsync(PodsPath + "/s/status", """{"status":{"phase":"Running"}}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Single(Cluster.Server.ReceivedAt("/pods"));
        var statusCall = Assert.Single(Cluster.Server.ReceivedAt("/status")).Request;
        Assert.Equal("status", statusCall["subResource"]!.GetValue<string>());
        Assert.Equal("Running", statusCall["object"]!["status"]!["phase"]!.GetValue<string>());
    }
}
