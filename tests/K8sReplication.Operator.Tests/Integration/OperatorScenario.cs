using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Kube.Client;
using K8sReplication.Operator.Crd;
using K8sReplication.Operator.Mesh;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Kube;
using K8sReplication.TestKit.Processes;
using K8sReplication.TestKit.Sqlite;

namespace K8sReplication.Operator.Tests.Integration;

/// <summary>
/// The emulated cluster of an operator test: the API emulator with our CRD and the auth Secret, member pods backed by
/// real sidecar processes on real SQLite files (pod IP 127.0.0.1, container ports named k8srepl/k8srepl-admin
/// pointing at the sidecar's real ports), and real operator processes.
/// </summary>
internal sealed class OperatorScenario : IAsyncDisposable
{
    public const string Namespace = "default";
    public const string SecretName = "mesh-token";
    public const string Token = "operator-test-token";
    public const string AppLabel = "demo";
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private readonly List<OperatorProcess> _operators = [];
    private readonly Dictionary<string, MemberNode> _members = new(StringComparer.Ordinal);

    private OperatorScenario(ApiServerEmulator api, string folder)
    {
        Api = api;
        Folder = folder;
        Kubeconfig = api.WriteKubeconfig(Path.Combine(folder, "kubeconfig"), Namespace);
        Kube = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(Kubeconfig));
    }

    public ApiServerEmulator Api { get; }

    /// <summary>The official client, as a test's own hands on the cluster (the operator under test is a separate process).</summary>
    public Kubernetes Kube { get; }

    public string Kubeconfig { get; }

    public string Folder { get; }

    public IReadOnlyDictionary<string, MemberNode> Members => _members;

    public static async Task<OperatorScenario> StartAsync(ApiServerEmulatorOptions? options = null)
    {
        var folder = Path.Combine(TempDatabase.Root, "operator-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var api = await ApiServerEmulator.StartAsync(options);
        var scenario = new OperatorScenario(api, folder);
        using var http = new HttpClient { BaseAddress = api.Url };
        using var crd = await http.PostAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
            new StringContent(ReplicationMeshCrd.Build().ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.True(crd.IsSuccessStatusCode, "CRD create failed: " + await crd.Content.ReadAsStringAsync());
        await scenario.CreateSecretAsync(SecretName, Token, optedIn: true);
        return scenario;
    }

    /// <summary>Creates a token Secret, with or without the operator's opt-in label.</summary>
    public Task<V1Secret> CreateSecretAsync(string name, string token, bool optedIn) =>
        Kube.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Labels = optedIn ? new Dictionary<string, string> { [Labels.MeshAuthSecret] = Labels.MeshAuthSecretValue } : null,
            },
            Data = new Dictionary<string, byte[]> { [WellKnown.TokenSecretKey] = Encoding.UTF8.GetBytes(token) },
        }, Namespace);

    /// <summary>Starts a sidecar for <paramref name="pod"/> and creates the running pod pointing at it.</summary>
    public async Task<MemberNode> AddMemberAsync(string pod, params string[] extraArgs)
    {
        var db = new TempDatabase();
        db.Execute("CREATE TABLE items(id TEXT PRIMARY KEY, v TEXT)");
        var tokenFile = Path.Combine(db.Folder, "token");
        await File.WriteAllTextAsync(tokenFile, Token);
        var args = new List<string>
        {
            "--database", db.FilePath,
            "--node-name", pod,
            "--listen", "127.0.0.1:0",
            "--admin-listen", "127.0.0.1:0",
            "--token-file", tokenFile,
            "--state-dir", Path.Combine(db.Folder, "state"),
            "--anti-entropy-interval", "1s",
        };
        args.AddRange(extraArgs);
        var process = await SidecarProcess.StartAsync(args);
        var node = new MemberNode(pod, db, process, args);
        lock (_members)
        {
            _members[pod] = node;
        }

        await CreatePodAsync(pod, node.ReplicationPort, node.AdminPort);
        return node;
    }

    /// <summary>Creates the running pod of a member; <paramref name="sidecarArgs"/> are its sidecar container's args as the pod spec shows them.</summary>
    public async Task CreatePodAsync(string pod, int replicationPort, int adminPort, IList<string>? sidecarArgs = null)
    {
        await Kube.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = pod, Labels = new Dictionary<string, string> { ["app"] = AppLabel } },
            Spec = new V1PodSpec
            {
                Containers = [new V1Container { Name = "app", Image = "app:1" }],
                InitContainers =
                [
                    new V1Container
                    {
                        Name = "k8srepl",
                        Image = "k8srepl-sidecar:1",
                        RestartPolicy = "Always",
                        Args = sidecarArgs,
                        Ports =
                        [
                            new V1ContainerPort { Name = WellKnown.ReplicationPortName, ContainerPort = replicationPort },
                            new V1ContainerPort { Name = WellKnown.AdminPortName, ContainerPort = adminPort },
                        ],
                    },
                ],
            },
        }, Namespace);
        await Kube.CoreV1.PatchNamespacedPodStatusAsync(MergePatch(new { status = new { phase = "Running", podIP = "127.0.0.1" } }), pod, Namespace);
    }

    /// <summary>A JSON merge patch of <paramref name="patch"/> (an anonymous object, camelCase names as written).</summary>
    public static V1Patch MergePatch(object patch) => new(JsonSerializer.Serialize(patch), V1Patch.PatchType.MergePatch);

    public async Task DeletePodAsync(string pod)
    {
        await Kube.CoreV1.DeleteNamespacedPodAsync(pod, Namespace);
        if (_members.Remove(pod, out var node))
        {
            await node.DisposeAsync();
        }
    }

    public Task<OperatorProcess> StartOperatorAsync(params IEnumerable<string> extra) => StartOperatorWithKubeconfigAsync(Kubeconfig, extra);

    /// <summary>Starts an operator that connects with <paramref name="kubeconfig"/> instead of the scenario's own.</summary>
    public async Task<OperatorProcess> StartOperatorWithKubeconfigAsync(string kubeconfig, params IEnumerable<string> extra)
    {
        var args = new List<string>
        {
            "--kubeconfig", kubeconfig,
            "--namespace", Namespace,
            "--health-listen", "127.0.0.1:0",
            "--metrics-listen", "127.0.0.1:0",
            "--resync", "1s",
            "--sidecar-timeout", "2s",
            "--watch-inactivity-timeout", "10s",
        };
        args.AddRange(extra);
        var op = await OperatorProcess.StartAsync(args);
        _operators.Add(op);
        return op;
    }

    public static ReplicationMeshSpec Spec(string interval = "1s") => new()
    {
        Selector = new Contracts.Mesh.LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = AppLabel } },
        AuthSecretRef = new SecretReference { Name = SecretName },
        AntiEntropy = new AntiEntropySpec { Interval = interval },
    };

    public async Task<ReplicationMesh> CreateMeshAsync(string name, ReplicationMeshSpec? spec = null)
    {
        var created = await Kube.CustomObjects.CreateNamespacedCustomObjectAsync(new ReplicationMesh
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace },
            Spec = spec ?? Spec(),
        }, MeshApi.Group, MeshApi.Version, Namespace, MeshApi.Plural);
        return KubernetesJson.Deserialize<ReplicationMesh>((JsonElement)created);
    }

    public async Task<ReplicationMesh?> GetMeshAsync(string name)
    {
        var mesh = await Kube.CustomObjects.GetNamespacedCustomObjectAsync(MeshApi.Group, MeshApi.Version, Namespace, MeshApi.Plural, name).NullWhenNotFound();
        return mesh is null ? null : KubernetesJson.Deserialize<ReplicationMesh>((JsonElement)mesh);
    }

    /// <summary>Replaces the mesh (PUT), fenced by its resourceVersion.</summary>
    public Task ReplaceMeshAsync(ReplicationMesh mesh) =>
        Kube.CustomObjects.ReplaceNamespacedCustomObjectAsync(mesh, MeshApi.Group, MeshApi.Version, Namespace, MeshApi.Plural, mesh.Metadata.Name);

    /// <summary>Every Event of the namespace, as events.k8s.io/v1 serves them.</summary>
    public async Task<IList<Eventsv1Event>> ListEventsAsync() => (await Kube.EventsV1.ListNamespacedEventAsync(Namespace)).Items;

    /// <summary>Polls the mesh until <paramref name="accept"/> holds; the failure shows the last status.</summary>
    public async Task<ReplicationMesh> WaitForMeshAsync(string name, Func<ReplicationMesh, bool> accept, string because, TimeSpan? timeout = null)
    {
        try
        {
            var last = await Eventually.ValueAsync(
                async () => new MeshSnapshot(await GetMeshAsync(name)),
                s => s.Mesh is not null && accept(s.Mesh),
                timeout ?? Deadline,
                because);
            return last.Mesh!;
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + Diagnostics(), e);
        }
    }

    public static bool Has(ReplicationMesh mesh, string type, ConditionStatus status) =>
        mesh.Status?.Conditions?.Any(c => c.Type == type && c.Status == status) == true;

    public static MeshCondition? Condition(ReplicationMesh mesh, string type) => mesh.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    public static bool Settled(ReplicationMesh mesh, int members) =>
        mesh.Status?.TotalMembers == members
        && Has(mesh, ConditionTypes.Ready, ConditionStatus.True)
        && Has(mesh, ConditionTypes.Converged, ConditionStatus.True)
        && Has(mesh, ConditionTypes.ConfigApplied, ConditionStatus.True);

    private string Diagnostics() =>
        "\n--- operator output (tail) ---\n" + string.Join("\n---\n", _operators.Select(o => Tail(o.Output, 6000)));

    private static string Tail(string text, int max) => text.Length <= max ? text : text[^max..];

    public async ValueTask DisposeAsync()
    {
        foreach (var op in _operators)
        {
            await op.DisposeAsync();
        }

        foreach (var node in _members.Values)
        {
            await node.DisposeAsync();
        }

        Kube.Dispose();
        await Api.DisposeAsync();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
