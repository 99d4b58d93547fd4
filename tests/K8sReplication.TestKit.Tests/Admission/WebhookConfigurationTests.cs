using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using static K8sReplication.TestKit.Tests.Admission.WebhookCluster;

namespace K8sReplication.TestKit.Tests.Admission;

/// <summary>MutatingWebhookConfigurations as the real server serves them: kubectl apply/get/delete, defaults, validation.</summary>
public sealed class WebhookConfigurationTests : WebhookClusterTest
{
    private static string ConfigurationYaml(string webhook) => $$"""
        apiVersion: admissionregistration.k8s.io/v1
        kind: MutatingWebhookConfiguration
        metadata:
          name: k8srepl-injector
        webhooks:
        {{webhook}}
        """;

    private const string ValidWebhook = """
        - name: inject.k8srepl.dev
          admissionReviewVersions: ["v1"]
          sideEffects: None
          clientConfig:
            service: {namespace: webhooks, name: injector, path: /inject}
          rules:
          - {apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"]}
        """;

    [Fact]
    public async Task Kubectl_AppliesListsAndDeletes_AndTheServerFillsTheDefaults()
    {
        var applied = await Cluster.KubectlOkAsync("apply", "-f", Cluster.Kubectl.WriteManifest("config.yaml", ConfigurationYaml(ValidWebhook)));
        Assert.Contains("mutatingwebhookconfiguration.admissionregistration.k8s.io/k8srepl-injector created", applied.Stdout);
        var (_, first) = await Cluster.Http.GetAsync(MutatingPath + "/k8srepl-injector");

        // Applying again re-sends the rules (an atomic list the server defaulted), which default to the same object.
        await Cluster.KubectlOkAsync("apply", "-f", Cluster.Kubectl.WriteManifest("config.yaml", ConfigurationYaml(ValidWebhook)));
        var (_, again) = await Cluster.Http.GetAsync(MutatingPath + "/k8srepl-injector");
        Assert.Equal(first["metadata"]!["resourceVersion"]!.GetValue<string>(), again["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal(1, again["metadata"]!["generation"]!.GetValue<int>());

        var table = await Cluster.KubectlOkAsync("get", "mutatingwebhookconfigurations");
        Assert.Matches(@"NAME\s+WEBHOOKS\s+AGE", table.Stdout);
        Assert.Matches(@"k8srepl-injector\s+1\s+", table.Stdout);

        var stored = JsonNode.Parse((await Cluster.KubectlOkAsync("get", "mutatingwebhookconfiguration", "k8srepl-injector", "-o", "json")).Stdout)!["webhooks"]![0]!;
        Assert.Equal("Fail", stored["failurePolicy"]!.GetValue<string>());
        Assert.Equal("Equivalent", stored["matchPolicy"]!.GetValue<string>());
        Assert.Equal("Never", stored["reinvocationPolicy"]!.GetValue<string>());
        Assert.Equal(10, stored["timeoutSeconds"]!.GetValue<int>());
        Assert.Equal(443, stored["clientConfig"]!["service"]!["port"]!.GetValue<int>());
        Assert.Equal("*", stored["rules"]![0]!["scope"]!.GetValue<string>());
        Assert.Equal("{}", stored["namespaceSelector"]!.ToJsonString());
        Assert.Equal("{}", stored["objectSelector"]!.ToJsonString());

        var deleted = await Cluster.KubectlOkAsync("delete", "mutatingwebhookconfiguration", "k8srepl-injector");
        Assert.Contains("deleted", deleted.Stdout);
        Assert.Equal(HttpStatusCode.NotFound, (await Cluster.Http.GetAsync(MutatingPath + "/k8srepl-injector")).Status);
    }

    [Fact]
    public async Task Kubectl_IsToldEveryInvalidField_ByName()
    {
        const string Invalid = """
            - name: inject
              failurePolicy: Sometimes
              timeoutSeconds: 31
              clientConfig:
                url: http://example.com/inject
                service: {namespace: webhooks, name: injector}
              rules:
              - {apiGroups: [""], apiVersions: ["v1"], operations: ["MAKE"], resources: []}
            """;
        var result = await Cluster.Kubectl.RunAsync("apply", "-f", Cluster.Kubectl.WriteManifest("config.yaml", ConfigurationYaml(Invalid)));
        Assert.Equal(1, result.ExitCode);
        foreach (var expected in new[]
        {
            "The MutatingWebhookConfiguration \"k8srepl-injector\" is invalid:",
            "webhooks[0].name: Invalid value: \"inject\": should be a domain with at least three segments separated by dots",
            "webhooks[0].rules[0].operations[0]: Unsupported value: \"MAKE\": supported values: \"*\", \"CONNECT\", \"CREATE\", \"DELETE\", \"UPDATE\"",
            "webhooks[0].rules[0].resources: Required value",
            "webhooks[0].failurePolicy: Unsupported value: \"Sometimes\": supported values: \"Fail\", \"Ignore\"",
            "webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun",
            "webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds",
            "webhooks[0].clientConfig: Required value: exactly one of url or service is required",
            "webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1",
        })
        {
            Assert.True(result.Stderr.Contains(expected, StringComparison.Ordinal), $"expected \"{expected}\" in:\n{result.Stderr}");
        }
    }

    [Fact]
    public async Task Url_MustBeHttps_AndWebhookNames_Unique()
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "admissionregistration.k8s.io/v1",
            ["kind"] = "MutatingWebhookConfiguration",
            ["metadata"] = new JsonObject { ["name"] = "twice" },
            ["webhooks"] = new JsonArray(
                Webhook("same.k8srepl.dev", new JsonObject { ["url"] = "http://127.0.0.1:1/x" }),
                Webhook("same.k8srepl.dev", Cluster.UrlClient("/y"))),
        };
        var (status, error) = await Cluster.Http.PostAsync(MutatingPath, body);
        Assert.Equal((HttpStatusCode)422, status);
        var causes = error["details"]!["causes"]!.AsArray().Select(c => c!["field"]!.GetValue<string>() + ": " + c["message"]!.GetValue<string>()).ToList();
        Assert.Contains("webhooks[0].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: https://host[/path]", causes);
        Assert.Contains("webhooks[1].name: Duplicate value: \"same.k8srepl.dev\"", causes);
    }

    [Fact]
    public async Task CaBundle_ThatIsNotBase64_IsRefusedAsUndecodable()
    {
        var client = Cluster.UrlClient("/x");
        client["caBundle"] = "-----BEGIN CERTIFICATE-----";
        var (status, error) = await Cluster.Http.PostAsync(MutatingPath, new JsonObject
        {
            ["apiVersion"] = "admissionregistration.k8s.io/v1",
            ["kind"] = "MutatingWebhookConfiguration",
            ["metadata"] = new JsonObject { ["name"] = "pem" },
            ["webhooks"] = new JsonArray(Webhook("pem.k8srepl.dev", client)),
        });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("MutatingWebhookConfiguration in version \"v1\" cannot be handled as a MutatingWebhookConfiguration: illegal base64 data at input byte 0", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task OfficialClient_CreatesListsAndReadsTheTypedConfiguration()
    {
        var created = await Cluster.Client.AdmissionregistrationV1.CreateMutatingWebhookConfigurationAsync(new V1MutatingWebhookConfiguration
        {
            Metadata = new V1ObjectMeta { Name = "typed" },
            Webhooks =
            [
                new V1MutatingWebhook
                {
                    Name = "typed.k8srepl.dev",
                    AdmissionReviewVersions = ["v1"],
                    SideEffects = "None",
                    ClientConfig = new Admissionregistrationv1WebhookClientConfig
                    {
                        Service = new Admissionregistrationv1ServiceReference { NamespaceProperty = ServiceNamespace, Name = ServiceName, Path = "/typed" },
                        CaBundle = Convert.FromBase64String(Cluster.Certificates.CaBundle),
                    },
                    Rules = [new V1RuleWithOperations { ApiGroups = [""], ApiVersions = ["v1"], Operations = ["CREATE"], Resources = ["pods"] }],
                },
            ],
        });
        Assert.Equal(10, created.Webhooks[0].TimeoutSeconds);
        Assert.Equal(443, created.Webhooks[0].ClientConfig.Service.Port);

        var listed = await Cluster.Client.AdmissionregistrationV1.ListMutatingWebhookConfigurationAsync();
        Assert.Equal(["typed"], listed.Items.Select(c => c.Metadata.Name));

        // The typed caBundle round-trips as bytes and is trusted for the call.
        await Cluster.Http.CreateAsync(PodsPath, Pod("via-typed"));
        Assert.Single(Cluster.Server.ReceivedAt("/typed"));
    }
}
