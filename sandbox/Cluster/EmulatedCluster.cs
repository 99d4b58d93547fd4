using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Config;
using K8sReplication.Kube.Models;
using K8sReplication.TestKit.Kube;

namespace K8sReplication.Sandbox.Cluster;

/// <summary>
/// The sandbox's "cluster": the Kubernetes API emulator (in process), a kubeconfig for kubectl and the operator, the
/// CRD and sample mesh applied from YAML files as a user would, and member pods pointing at local sidecars.
/// </summary>
internal sealed class EmulatedCluster : IAsyncDisposable
{
    public const string Namespace = "default";
    public const string MeshName = "notes";
    public const string AppLabel = "notes";
    public const string SecretName = "notes-replication-token";

    public static readonly ResourceType<SandboxMesh> MeshType =
        new(MeshApi.Group, MeshApi.Version, MeshApi.Plural, MeshApi.Kind, namespaced: true, SandboxJsonContext.Default.SandboxMesh);

    private readonly HttpClient _http;

    private EmulatedCluster(ApiServerEmulator api, string kubeconfig)
    {
        Api = api;
        Kubeconfig = kubeconfig;
        Kube = new KubeClient(KubeClientConfig.FromKubeconfig(kubeconfig), new KubeClientOptions { UserAgent = "k8srepl-sandbox" });
        _http = new HttpClient { BaseAddress = api.Url };
    }

    public ApiServerEmulator Api { get; }

    public KubeClient Kube { get; }

    public string Kubeconfig { get; }

    public static async Task<EmulatedCluster> StartAsync(string dir, CancellationToken cancellationToken)
    {
        var api = await ApiServerEmulator.StartAsync(new ApiServerEmulatorOptions(), cancellationToken);
        var kubeconfig = api.WriteKubeconfig(Path.Combine(dir, "kubeconfig"), Namespace);
        return new EmulatedCluster(api, kubeconfig);
    }

    /// <summary>The CRD shipped in crds/ (embedded at build time), applied server-side like <c>kubectl apply --server-side</c>.</summary>
    public async Task ApplyCrdAsync(CancellationToken cancellationToken)
    {
        await using var stream = typeof(EmulatedCluster).Assembly.GetManifestResourceStream("replicationmeshes.crd.yaml")
            ?? throw new InvalidOperationException("the CRD is not embedded in the sandbox");
        using var reader = new StreamReader(stream);
        var yaml = await reader.ReadToEndAsync(cancellationToken);
        await ApplyYamlAsync($"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{MeshApi.CrdName}", yaml, cancellationToken);
    }

    /// <summary>Server-side apply of one YAML object at <paramref name="path"/>.</summary>
    public async Task ApplyYamlAsync(string path, string yaml, CancellationToken cancellationToken)
    {
        using var content = new StringContent(yaml, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/apply-patch+yaml");
        using var response = await _http.PatchAsync(path + "?fieldManager=k8srepl-sandbox&force=true", content, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"apply {path} failed ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    public Task CreateTokenSecretAsync(string token, CancellationToken cancellationToken) =>
        Kube.CreateAsync(ResourceTypes.Secrets, new Secret
        {
            Metadata = new ObjectMeta
            {
                Name = SecretName,
                Namespace = Namespace,
                // The operator uses a mesh's token Secret only when it opted in with this label.
                Labels = new Dictionary<string, string> { [Labels.MeshAuthSecret] = Labels.MeshAuthSecretValue },
            },
            Data = new Dictionary<string, byte[]> { [WellKnown.TokenSecretKey] = Encoding.UTF8.GetBytes(token) },
        }, Namespace, cancellationToken);

    /// <summary>The sample mesh as YAML (also written to the sandbox dir for the user to read and re-apply).</summary>
    /// <summary>The sample mesh; its members archive to <paramref name="backupDir"/> (a directory archive, restorable with <c>restore</c>).</summary>
    public static string MeshYaml(string backupDir) => $"""
        apiVersion: {MeshApi.ApiVersion}
        kind: {MeshApi.Kind}
        metadata:
          name: {MeshName}
          namespace: {Namespace}
        spec:
          selector:
            matchLabels:
              app: {AppLabel}
          database:
            tables: [notes, events]
          antiEntropy:
            interval: 2s
          authSecretRef:
            name: {SecretName}
          backup:
            url: file://{backupDir}
            interval: 2s
            snapshotInterval: 1m
            retention: 1h

        """;

    public Task ApplyMeshAsync(string backupDir, CancellationToken cancellationToken) =>
        ApplyYamlAsync($"/apis/{MeshApi.Group}/{MeshApi.Version}/namespaces/{Namespace}/{MeshApi.Plural}/{MeshName}", MeshYaml(backupDir), cancellationToken);

    public Task<SandboxMesh?> GetMeshAsync(CancellationToken cancellationToken) => Kube.TryGetAsync(MeshType, MeshName, Namespace, cancellationToken);

    public Task SetPausedAsync(bool paused, CancellationToken cancellationToken) =>
        Kube.PatchAsync(MeshType, MeshName, new JsonObject { ["spec"] = new JsonObject { ["paused"] = paused } }, Namespace, cancellationToken: cancellationToken);

    /// <summary>A running pod (status set through the status subresource: the emulator runs no kubelet) whose named ports are the sidecar's.</summary>
    public async Task CreatePodAsync(string pod, int replicationPort, int adminPort, CancellationToken cancellationToken)
    {
        await Kube.CreateAsync(ResourceTypes.Pods, new Pod
        {
            Metadata = new ObjectMeta { Name = pod, Namespace = Namespace, Labels = new Dictionary<string, string> { ["app"] = AppLabel } },
            Spec = new PodSpec
            {
                Containers = [new Container { Name = "app", Image = "notes-app:sandbox" }],
                InitContainers =
                [
                    new Container
                    {
                        Name = "k8srepl",
                        Image = "k8srepl-sidecar:sandbox",
                        RestartPolicy = "Always",
                        Ports =
                        [
                            new ContainerPort { Name = WellKnown.ReplicationPortName, Port = replicationPort },
                            new ContainerPort { Name = WellKnown.AdminPortName, Port = adminPort },
                        ],
                    },
                ],
            },
        }, Namespace, cancellationToken);
        await Kube.PatchStatusAsync(ResourceTypes.Pods, pod, new JsonObject
        {
            ["status"] = new JsonObject { ["phase"] = "Running", ["podIP"] = "127.0.0.1" },
        }, Namespace, cancellationToken);
    }

    /// <summary>The desired config the operator wrote for <paramref name="pod"/> (its ConfigMap entry), or null.</summary>
    public async Task<string?> GetMemberConfigJsonAsync(string pod, CancellationToken cancellationToken)
    {
        var configMap = await Kube.TryGetAsync(ResourceTypes.ConfigMaps, MeshName + "-sidecar-config", Namespace, cancellationToken);
        return configMap?.Data is { } data && data.TryGetValue(pod + ".json", out var json) ? json : null;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        Kube.Dispose();
        await Api.DisposeAsync();
    }
}
