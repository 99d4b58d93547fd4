using System.Net;
using System.Text.Json.Nodes;
using k8s;
using K8sReplication.TestKit.Kube;
using K8sReplication.TestKit.Tests.Kube;

namespace K8sReplication.TestKit.Tests.Admission;

/// <summary>
/// The emulator with a real HTTPS webhook server beside it, the real kubectl, raw HTTP and the official client; the
/// webhook's certificate is valid for <see cref="ServiceHost"/> (reached through the emulator's service endpoint map)
/// and 127.0.0.1 (reached by URL).
/// </summary>
internal sealed class WebhookCluster : IAsyncDisposable
{
    public const string ServiceNamespace = "webhooks";
    public const string ServiceName = "injector";
    public const string ServiceHost = ServiceName + "." + ServiceNamespace + ".svc";
    public const string PodsPath = "/api/v1/namespaces/default/pods";
    public const string MutatingPath = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";
    public const string ValidatingPath = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations";
    private readonly DirectoryInfo _dir;

    private WebhookCluster(ApiServerEmulatorOptions options, ApiServerEmulator emulator, WebhookCertificates certificates, WebhookServer server, DirectoryInfo dir)
    {
        Options = options;
        Emulator = emulator;
        Certificates = certificates;
        Server = server;
        _dir = dir;
        Http = new KubeHttp(emulator.Url);
        var kubeconfig = emulator.WriteKubeconfig(Path.Combine(dir.FullName, "config"));
        Kubectl = new Kubectl(kubeconfig);
        Client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
    }

    public ApiServerEmulatorOptions Options { get; }

    public ApiServerEmulator Emulator { get; }

    public WebhookCertificates Certificates { get; }

    public WebhookServer Server { get; }

    public KubeHttp Http { get; }

    public Kubectl Kubectl { get; }

    public Kubernetes Client { get; }

    public static async Task<WebhookCluster> StartAsync()
    {
        var options = new ApiServerEmulatorOptions();
        var emulator = await ApiServerEmulator.StartAsync(options);
        var certificates = WebhookCertificates.Create(ServiceHost);
        var server = await WebhookServer.StartAsync(certificates.Server);
        options.ServiceEndpoints[ApiServerEmulatorOptions.ServiceKey(ServiceNamespace, ServiceName)] = new DnsEndPoint("127.0.0.1", server.Port);
        return new WebhookCluster(options, emulator, certificates, server, Directory.CreateTempSubdirectory("k8srepl-webhooks-"));
    }

    /// <summary>A <c>clientConfig</c> naming the webhook's Service (port 443 by default), trusting the test CA.</summary>
    public JsonObject ServiceClient(string path, string? caBundle = null) => new()
    {
        ["service"] = new JsonObject { ["namespace"] = ServiceNamespace, ["name"] = ServiceName, ["path"] = path },
        ["caBundle"] = caBundle ?? Certificates.CaBundle,
    };

    /// <summary>A <c>clientConfig</c> with the webhook's URL on 127.0.0.1, trusting the test CA.</summary>
    public JsonObject UrlClient(string path) => new() { ["url"] = Server.Url(path), ["caBundle"] = Certificates.CaBundle };

    public static JsonObject Webhook(string name, JsonObject clientConfig, string failurePolicy = "Fail", JsonArray? rules = null,
        JsonObject? namespaceSelector = null, JsonObject? objectSelector = null, int? timeoutSeconds = null, string? reinvocationPolicy = null)
    {
        var hook = new JsonObject
        {
            ["name"] = name,
            ["clientConfig"] = clientConfig,
            ["rules"] = rules ?? Rules("pods", "CREATE", "UPDATE"),
            ["failurePolicy"] = failurePolicy,
            ["sideEffects"] = "None",
            ["admissionReviewVersions"] = new JsonArray("v1"),
        };
        if (namespaceSelector is not null)
        {
            hook["namespaceSelector"] = namespaceSelector;
        }

        if (objectSelector is not null)
        {
            hook["objectSelector"] = objectSelector;
        }

        if (timeoutSeconds is not null)
        {
            hook["timeoutSeconds"] = timeoutSeconds;
        }

        if (reinvocationPolicy is not null)
        {
            hook["reinvocationPolicy"] = reinvocationPolicy;
        }

        return hook;
    }

    public static JsonArray Rules(string resource, params string[] operations) => new(new JsonObject
    {
        ["apiGroups"] = new JsonArray(""),
        ["apiVersions"] = new JsonArray("v1"),
        ["operations"] = new JsonArray([.. operations.Select(o => (JsonNode)o)]),
        ["resources"] = new JsonArray(resource),
    });

    public static JsonObject MatchLabels(string key, string value) => new() { ["matchLabels"] = new JsonObject { [key] = value } };

    public Task<JsonObject> AddMutatingAsync(string name, params JsonObject[] webhooks) => AddConfigurationAsync(MutatingPath, "MutatingWebhookConfiguration", name, webhooks);

    public Task<JsonObject> AddValidatingAsync(string name, params JsonObject[] webhooks) => AddConfigurationAsync(ValidatingPath, "ValidatingWebhookConfiguration", name, webhooks);

    public static JsonObject Pod(string name, Dictionary<string, string>? labels = null)
    {
        var meta = Metadata(name, labels);
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = meta,
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "app:1" }) },
        };
    }

    public static JsonObject Metadata(string name, Dictionary<string, string>? labels = null)
    {
        var meta = new JsonObject { ["name"] = name };
        if (labels is not null)
        {
            meta["labels"] = new JsonObject(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));
        }

        return meta;
    }

    public const string PlainPodYaml = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: plain
          labels: {app: orders}
        spec:
          containers:
          - name: app
            image: orders:1
        """;

    public async Task<KubectlResult> KubectlOkAsync(params string[] args)
    {
        var result = await Kubectl.RunAsync(args);
        Assert.True(result.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed: {result}");
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Kubectl.Dispose();
        Http.Dispose();
        await Server.DisposeAsync();
        await Emulator.DisposeAsync();
        Certificates.Dispose();
        _dir.Delete(recursive: true);
    }

    private async Task<JsonObject> AddConfigurationAsync(string path, string kind, string name, JsonObject[] webhooks) =>
        await Http.CreateAsync(path, new JsonObject
        {
            ["apiVersion"] = "admissionregistration.k8s.io/v1",
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = name },
            ["webhooks"] = new JsonArray([.. webhooks.Select(w => (JsonNode)w)]),
        });
}
