using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Kube.Client;
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

    private readonly HttpClient _http;

    private EmulatedCluster(ApiServerEmulator api, string kubeconfig)
    {
        Api = api;
        Kubeconfig = kubeconfig;
        Connection = KubeConnection.Open(KubeConnection.LoadConfig(kubeconfig), new KubeConnectionOptions { UserAgent = "k8srepl-sandbox" });
        _http = new HttpClient { BaseAddress = api.Url };
    }

    public ApiServerEmulator Api { get; }

    /// <summary>The official client, with retries (see <see cref="KubeConnection"/>).</summary>
    public KubeConnection Connection { get; }

    private Kubernetes Kube => Connection.Client;

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
        Kube.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = SecretName,
                // The operator uses a mesh's token Secret only when it opted in with this label.
                Labels = new Dictionary<string, string> { [Labels.MeshAuthSecret] = Labels.MeshAuthSecretValue },
            },
            Data = new Dictionary<string, byte[]> { [WellKnown.TokenSecretKey] = Encoding.UTF8.GetBytes(token) },
        }, Namespace, cancellationToken: cancellationToken);

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
          # The sandbox's sidecars are local processes on plain HTTP; a mesh in a cluster keeps the default
          # (mode Operator: mutual TLS with certificates the operator issues, see docs/security.md).
          tls:
            mode: Disabled
          backup:
            url: file://{backupDir}
            interval: 2s
            snapshotInterval: 1m
            retention: 1h

        """;

    public Task ApplyMeshAsync(string backupDir, CancellationToken cancellationToken) =>
        ApplyYamlAsync($"/apis/{MeshApi.Group}/{MeshApi.Version}/namespaces/{Namespace}/{MeshApi.Plural}/{MeshName}", MeshYaml(backupDir), cancellationToken);

    /// <summary>The sample mesh's status, or null while the mesh or its status does not exist.</summary>
    public async Task<ReplicationMeshStatus?> GetMeshStatusAsync(CancellationToken cancellationToken)
    {
        var mesh = await Kube.CustomObjects.GetNamespacedCustomObjectAsync(MeshApi.Group, MeshApi.Version, Namespace, MeshApi.Plural, MeshName,
            cancellationToken).NullWhenNotFound();
        return mesh is JsonElement json && json.TryGetProperty("status", out var status)
            ? status.Deserialize(MeshJsonContext.Default.ReplicationMeshStatus)
            : null;
    }

    public Task SetPausedAsync(bool paused, CancellationToken cancellationToken) =>
        Kube.CustomObjects.PatchNamespacedCustomObjectAsync(MergePatch(new JsonObject { ["spec"] = new JsonObject { ["paused"] = paused } }),
            MeshApi.Group, MeshApi.Version, Namespace, MeshApi.Plural, MeshName, cancellationToken: cancellationToken);

    private static V1Patch MergePatch(JsonObject patch) => new(patch.ToJsonString(), V1Patch.PatchType.MergePatch);

    /// <summary>A running pod (status set through the status subresource: the emulator runs no kubelet) whose named ports are the sidecar's.</summary>
    public async Task CreatePodAsync(string pod, int replicationPort, int adminPort, CancellationToken cancellationToken)
    {
        await Kube.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = pod, Labels = new Dictionary<string, string> { ["app"] = AppLabel } },
            Spec = new V1PodSpec
            {
                Containers = [new V1Container { Name = "app", Image = "notes-app:sandbox" }],
                InitContainers =
                [
                    new V1Container
                    {
                        Name = "k8srepl",
                        Image = "k8srepl-sidecar:sandbox",
                        RestartPolicy = "Always",
                        Ports =
                        [
                            new V1ContainerPort { Name = WellKnown.ReplicationPortName, ContainerPort = replicationPort },
                            new V1ContainerPort { Name = WellKnown.AdminPortName, ContainerPort = adminPort },
                        ],
                    },
                ],
            },
        }, Namespace, cancellationToken: cancellationToken);
        await Kube.CoreV1.PatchNamespacedPodStatusAsync(MergePatch(new JsonObject
        {
            ["status"] = new JsonObject { ["phase"] = "Running", ["podIP"] = "127.0.0.1" },
        }), pod, Namespace, cancellationToken: cancellationToken);
    }

    /// <summary>The desired config the operator wrote for <paramref name="pod"/> (its ConfigMap entry), or null.</summary>
    public async Task<string?> GetMemberConfigJsonAsync(string pod, CancellationToken cancellationToken)
    {
        var configMap = await Kube.CoreV1.ReadNamespacedConfigMapAsync(MeshName + "-sidecar-config", Namespace, cancellationToken: cancellationToken)
            .NullWhenNotFound();
        return configMap?.Data is { } data && data.TryGetValue(pod + ".json", out var json) ? json : null;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        Connection.Dispose();
        await Api.DisposeAsync();
    }
}
