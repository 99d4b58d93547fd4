using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using K8sReplication.TestKit.Kube;
using static K8sReplication.TestKit.Tests.Admission.WebhookCluster;

namespace K8sReplication.TestKit.Tests.Admission;

/// <summary>
/// Denials and failed webhook calls: what the client sees, and failurePolicy Fail (the write is refused, naming the
/// webhook) against Ignore (the write goes on as if the webhook were not there).
/// </summary>
public sealed class WebhookFailureTests : WebhookClusterTest
{
    private async Task<KubectlResultAssert> ApplyPlainPodAsync()
    {
        var result = await Cluster.Kubectl.RunAsync("apply", "-f", Cluster.Kubectl.WriteManifest("pod.yaml", PlainPodYaml));
        var (status, _) = await Cluster.Http.GetAsync(PodsPath + "/plain");
        return new KubectlResultAssert(result.ExitCode, result.Stderr, status == HttpStatusCode.OK);
    }

    private sealed record KubectlResultAssert(int ExitCode, string Stderr, bool Stored);

    [Fact]
    public async Task Denial_SurfacesInKubectlApplyStderr_AndNothingIsStored()
    {
        Cluster.Server.Handle("/deny", review => WebhookServer.Deny(review, "pods need the inject annotation", 403));
        await Cluster.AddMutatingAsync("deny", Webhook("deny.k8srepl.dev", Cluster.ServiceClient("/deny")));

        var result = await ApplyPlainPodAsync();
        Assert.Equal(1, result.ExitCode);
        AssertSays("admission webhook \"deny.k8srepl.dev\" denied the request: pods need the inject annotation", result.Stderr);
        Assert.False(result.Stored);
    }

    [Fact]
    public async Task Denial_ReachesTheOfficialClient_WithTheWebhooksCode()
    {
        Cluster.Server.Handle("/deny", review => WebhookServer.Response(review, new JsonObject { ["allowed"] = false }));
        await Cluster.AddMutatingAsync("deny", Webhook("deny.k8srepl.dev", Cluster.UrlClient("/deny")));

        var denied = await Assert.ThrowsAsync<HttpOperationException>(() => Cluster.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p" },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "app:1" }] },
        }, "default"));
        Assert.Equal(HttpStatusCode.BadRequest, denied.Response.StatusCode);
        var status = JsonNode.Parse(denied.Response.Content)!;
        Assert.Equal("admission webhook \"deny.k8srepl.dev\" denied the request without explanation", status["message"]!.GetValue<string>());
        Assert.Equal("Failure", status["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("Fail")]
    [InlineData("Ignore")]
    public async Task WebhookDown_FailsTheWriteOnlyUnderFailurePolicyFail(string failurePolicy)
    {
        var closedPort = ClosedPort();
        var client = new JsonObject { ["url"] = $"https://127.0.0.1:{closedPort}/down", ["caBundle"] = Cluster.Certificates.CaBundle };
        await Cluster.AddMutatingAsync("down", Webhook("down.k8srepl.dev", client, failurePolicy));

        var result = await ApplyPlainPodAsync();
        if (failurePolicy == "Fail")
        {
            Assert.Equal(1, result.ExitCode);
            AssertSays($"Internal error occurred: failed calling webhook \"down.k8srepl.dev\": failed to call webhook: Post \"https://127.0.0.1:{closedPort}/down?timeout=10s\": dial tcp 127.0.0.1:{closedPort}: connect: connection refused", result.Stderr);
            Assert.False(result.Stored);
        }
        else
        {
            Assert.Equal(0, result.ExitCode);
            Assert.True(result.Stored);
        }
    }

    [Theory]
    [InlineData("Fail")]
    [InlineData("Ignore")]
    public async Task WebhookTimingOut_IsCutAtTimeoutSeconds(string failurePolicy)
    {
        Cluster.Server.Handle("/slow", async (review, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return WebhookServer.Allow(review);
        });
        await Cluster.AddMutatingAsync("slow", Webhook("slow.k8srepl.dev", Cluster.ServiceClient("/slow"), failurePolicy, timeoutSeconds: 1));

        var watch = Stopwatch.StartNew();
        var result = await ApplyPlainPodAsync();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"the webhook was waited on for {watch.Elapsed}");
        Assert.Equal("?timeout=1s", Assert.Single(Cluster.Server.ReceivedAt("/slow")).Query);
        if (failurePolicy == "Fail")
        {
            AssertSays("failed calling webhook \"slow.k8srepl.dev\": failed to call webhook: Post \"https://injector.webhooks.svc:443/slow?timeout=1s\": context deadline exceeded", result.Stderr);
            Assert.False(result.Stored);
        }
        else
        {
            Assert.True(result.Stored, result.Stderr);
        }
    }

    [Fact]
    public async Task CaBundleOfAnotherAuthority_FailsTheCall()
    {
        using var other = WebhookCertificates.Create(ServiceHost);
        await Cluster.AddMutatingAsync("untrusted", Webhook("untrusted.k8srepl.dev", Cluster.ServiceClient("/inject", other.CaBundle)));

        var result = await ApplyPlainPodAsync();
        AssertSays("failed calling webhook \"untrusted.k8srepl.dev\": failed to call webhook: Post \"https://injector.webhooks.svc:443/inject?timeout=10s\": tls: failed to verify certificate: x509: certificate signed by unknown authority", result.Stderr);
        Assert.False(result.Stored);
        Assert.Empty(Cluster.Server.Received);
    }

    [Fact]
    public async Task CertificateNotValidForTheServiceName_FailsTheCall()
    {
        Cluster.Options.ServiceEndpoints[ApiServerEmulatorOptions.ServiceKey(ServiceNamespace, "other", 8443)] = new DnsEndPoint("127.0.0.1", Cluster.Server.Port);
        var client = new JsonObject
        {
            ["service"] = new JsonObject { ["namespace"] = ServiceNamespace, ["name"] = "other", ["port"] = 8443 },
            ["caBundle"] = Cluster.Certificates.CaBundle,
        };
        await Cluster.AddMutatingAsync("misnamed", Webhook("misnamed.k8srepl.dev", client));

        var result = await ApplyPlainPodAsync();
        AssertSays("tls: failed to verify certificate: x509: certificate is valid for injector.webhooks.svc, 127.0.0.1, not other.webhooks.svc", result.Stderr);
        Assert.False(result.Stored);
    }

    [Fact]
    public async Task ServiceWithoutAnEndpoint_FailsTheCall()
    {
        var client = new JsonObject { ["service"] = new JsonObject { ["namespace"] = ServiceNamespace, ["name"] = "nowhere", ["path"] = "/inject" }, ["caBundle"] = Cluster.Certificates.CaBundle };
        await Cluster.AddMutatingAsync("nowhere", Webhook("nowhere.k8srepl.dev", client));

        var result = await ApplyPlainPodAsync();
        AssertSays("failed calling webhook \"nowhere.k8srepl.dev\": failed to call webhook: Post \"https://nowhere.webhooks.svc:443/inject?timeout=10s\": no endpoints available for service \"nowhere\"", result.Stderr);
    }

    [Theory]
    [InlineData("Fail")]
    [InlineData("Ignore")]
    public async Task ResponseWithAnotherUid_IsAFailedCall(string failurePolicy)
    {
        Cluster.Server.Handle("/uid", review =>
        {
            var response = WebhookServer.Patch(review, new JsonArray(new JsonObject { ["op"] = "add", ["path"] = "/metadata/labels/patched", ["value"] = "yes" }));
            response["response"]!["uid"] = "not-the-request-uid";
            return response;
        });
        await Cluster.AddMutatingAsync("uid", Webhook("uid.k8srepl.dev", Cluster.UrlClient("/uid"), failurePolicy));

        var (status, body) = await Cluster.Http.PostAsync(PodsPath, Pod("u"));
        if (failurePolicy == "Fail")
        {
            Assert.Equal(HttpStatusCode.InternalServerError, status);
            Assert.Equal("InternalError", body["reason"]!.GetValue<string>());
            var uid = Cluster.Server.ReceivedAt("/uid")[0].Request["uid"]!.GetValue<string>();
            Assert.Equal($"Internal error occurred: failed calling webhook \"uid.k8srepl.dev\": received invalid webhook response: expected response.uid=\"{uid}\", got \"not-the-request-uid\"", body["message"]!.GetValue<string>());
        }
        else
        {
            Assert.Equal(HttpStatusCode.Created, status);
            Assert.Null(body["metadata"]!["labels"]);
        }
    }

    [Fact]
    public async Task WebhookAnsweringAnError_IsAFailedCall()
    {
        await Cluster.AddMutatingAsync("broken", Webhook("broken.k8srepl.dev", Cluster.UrlClient("/broken"), "Fail"));
        Cluster.Server.Handle("/broken", review => new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview" });

        var (status, body) = await Cluster.Http.PostAsync(PodsPath, Pod("b"));
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Contains("failed calling webhook \"broken.k8srepl.dev\": received invalid webhook response: webhook response was absent", body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task PatchThatDoesNotApply_FailsTheWrite_EvenUnderIgnore()
    {
        Cluster.Server.Handle("/bad-patch", review => WebhookServer.Patch(review, new JsonArray(
            new JsonObject { ["op"] = "replace", ["path"] = "/spec/nothing/here", ["value"] = 1 })));
        await Cluster.AddMutatingAsync("bad-patch", Webhook("bad-patch.k8srepl.dev", Cluster.UrlClient("/bad-patch"), "Ignore"));

        var (status, body) = await Cluster.Http.PostAsync(PodsPath, Pod("x"));
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.StartsWith("Internal error occurred: ", body["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Cluster.Http.GetAsync(PodsPath + "/x")).Status);
    }

    private static void AssertSays(string expected, string stderr) => Assert.True(stderr.Contains(expected, StringComparison.Ordinal), $"expected \"{expected}\" in:\n{stderr}");

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
