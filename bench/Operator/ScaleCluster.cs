using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Mesh;
using K8sReplication.TestKit.Kube;
using K8sReplication.TestKit.Tools;

namespace K8sReplication.Bench.Operator;

/// <summary>
/// The emulated cluster of the operator scale case: the in-process API emulator with the committed CRD (created by
/// kubectl from crds/), the mesh token Secret, and per mesh N running pods whose pod IPs are distinct loopback
/// addresses answered by one <see cref="FakeSidecarServer"/>.
/// </summary>
internal sealed class ScaleCluster : IAsyncDisposable
{
    public const string Namespace = "default";
    public const string SecretName = "bench-mesh-token";
    public const string Token = "bench-operator-token";
    public const string MeshLabel = "bench.k8srepl.dev/mesh";

    private ScaleCluster(ApiServerEmulator api, FakeSidecarServer sidecars, string folder)
    {
        Api = api;
        Sidecars = sidecars;
        Kubeconfig = api.WriteKubeconfig(Path.Combine(folder, "kubeconfig"), Namespace);
        Kube = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(Kubeconfig));
    }

    public ApiServerEmulator Api { get; }

    public FakeSidecarServer Sidecars { get; }

    public Kubernetes Kube { get; }

    public string Kubeconfig { get; }

    public static async Task<ScaleCluster> StartAsync(string folder, string repoRoot)
    {
        Directory.CreateDirectory(folder);
        var api = await ApiServerEmulator.StartAsync();
        var sidecars = await FakeSidecarServer.StartAsync(Token);
        var cluster = new ScaleCluster(api, sidecars, folder);
        var crd = Path.Combine(repoRoot, "crds", "replicationmeshes.replication.k8srepl.dev.yaml");
        var exit = await ExternalTool.Kubectl.RunAsync(["--kubeconfig", cluster.Kubeconfig, "create", "-f", crd]);
        if (exit.ExitCode != 0)
        {
            throw new InvalidOperationException($"kubectl create -f {crd} failed: {exit.Stderr}");
        }

        await cluster.Kube.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = SecretName,
                // The operator uses a mesh's token Secret only when it opted in with this label.
                Labels = new Dictionary<string, string> { [Labels.MeshAuthSecret] = Labels.MeshAuthSecretValue },
            },
            Data = new Dictionary<string, byte[]> { [WellKnown.TokenSecretKey] = Encoding.UTF8.GetBytes(Token) },
        }, Namespace);
        return cluster;
    }

    public static string MeshName(int mesh) => $"mesh-{mesh:D3}";

    /// <summary>127.(1 + m/250).(m%250).(i+1): a distinct loopback address per member, never 127.0.0.x.</summary>
    public static string MemberIp(int mesh, int member) => $"127.{1 + (mesh / 250)}.{mesh % 250}.{member + 1}";

    /// <summary>Creates every member pod (Running, with its own IP, admin port = the fake server's port), 8 at a time.</summary>
    public async Task CreatePodsAsync(int meshes, int members)
    {
        if (members > 250 || meshes > 250 * 120)
        {
            throw new ArgumentOutOfRangeException(nameof(members), "at most 250 members per mesh");
        }

        var work = Enumerable.Range(0, meshes).SelectMany(m => Enumerable.Range(0, members).Select(i => (m, i)));
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (w, ct) =>
        {
            var mesh = MeshName(w.m);
            var pod = $"{mesh}-{w.i}";
            var ip = MemberIp(w.m, w.i);
            Sidecars.Add(mesh, pod, ip, MerkleRoot(mesh));
            await Kube.CoreV1.CreateNamespacedPodAsync(new V1Pod
            {
                Metadata = new V1ObjectMeta { Name = pod, Labels = new Dictionary<string, string> { [MeshLabel] = mesh } },
                Spec = new V1PodSpec
                {
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "app",
                            Image = "app:1",
                            Ports =
                            [
                                new V1ContainerPort { Name = WellKnown.ReplicationPortName, ContainerPort = Sidecars.Port },
                                new V1ContainerPort { Name = WellKnown.AdminPortName, ContainerPort = Sidecars.Port },
                            ],
                        },
                    ],
                },
            }, Namespace, cancellationToken: ct);
            var status = new JsonObject { ["status"] = new JsonObject { ["phase"] = "Running", ["podIP"] = ip } };
            await Kube.CoreV1.PatchNamespacedPodStatusAsync(new V1Patch(status.ToJsonString(), V1Patch.PatchType.MergePatch), pod, Namespace,
                cancellationToken: ct);
        });
    }

    public async Task CreateMeshesAsync(int meshes)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, meshes), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (m, ct) =>
        {
            var name = MeshName(m);
            var mesh = new JsonObject
            {
                ["apiVersion"] = MeshApi.ApiVersion,
                ["kind"] = MeshApi.Kind,
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = Namespace },
                ["spec"] = new JsonObject
                {
                    ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { [MeshLabel] = name } },
                    ["authSecretRef"] = new JsonObject { ["name"] = SecretName },
                },
            };
            await Kube.CustomObjects.CreateNamespacedCustomObjectAsync(mesh, MeshApi.Group, MeshApi.Version, Namespace, MeshApi.Plural, cancellationToken: ct);
        });
    }

    /// <summary>Meshes whose status shows Ready, Converged and ConfigApplied True with <paramref name="members"/> members.</summary>
    public async Task<int> SettledAsync(int members)
    {
        var list = (JsonElement)await Kube.CustomObjects.ListNamespacedCustomObjectAsync(MeshApi.Group, MeshApi.Version, Namespace, MeshApi.Plural);
        return list.GetProperty("items").EnumerateArray()
            .Count(m => m.TryGetProperty("status", out var status) && Settled(status.Deserialize(MeshJsonContext.Default.ReplicationMeshStatus), members));
    }

    private static bool Settled(ReplicationMeshStatus? status, int members)
    {
        bool True(string type) => status?.Conditions?.Any(c => c.Type == type && c.Status == ConditionStatus.True) == true;
        return status?.TotalMembers == members && True(ConditionTypes.Ready) && True(ConditionTypes.Converged) && True(ConditionTypes.ConfigApplied);
    }

    private static string MerkleRoot(string mesh) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(mesh)));

    public async ValueTask DisposeAsync()
    {
        Kube.Dispose();
        await Sidecars.DisposeAsync();
        await Api.DisposeAsync();
    }
}
