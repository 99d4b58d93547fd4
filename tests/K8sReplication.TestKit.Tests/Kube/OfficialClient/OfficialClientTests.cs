using System.Net;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;
using K8sReplication.TestKit.Kube;
using static K8sReplication.TestKit.Tests.Kube.Objects;

namespace K8sReplication.TestKit.Tests.Kube.OfficialClient;

/// <summary>
/// The official .NET client (KubernetesClient) against the emulator: a second client, written by others against the
/// real API server, that must get the same answers from the emulator as from kube-apiserver.
/// </summary>
public sealed class OfficialClientTests : IAsyncLifetime
{
    private const string Ns = "default";
    private const string MeshGroup = "replication.k8srepl.dev";
    private const string MeshVersion = "v1alpha1";
    private const string MeshPlural = "replicationmeshes";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private ApiServerEmulator _emulator = null!;
    private KubeHttp _http = null!;
    private KubernetesClientConfiguration _config = null!;
    private Kubernetes _client = null!;
    private DirectoryInfo _dir = null!;

    public async Task InitializeAsync()
    {
        _emulator = await ApiServerEmulator.StartAsync(new ApiServerEmulatorOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) });
        _http = new KubeHttp(_emulator.Url);
        _dir = Directory.CreateTempSubdirectory("k8srepl-official-client-");
        _config = KubernetesClientConfiguration.BuildConfigFromConfigFile(_emulator.WriteKubeconfig(Path.Combine(_dir.FullName, "config")));
        _client = new Kubernetes(_config);
        await InstallMeshCrdAsync(_http);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        _http.Dispose();
        await _emulator.DisposeAsync();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task Kubeconfig_WithoutAToken_AuthenticatesWithTheEmulatorsGeneratedToken()
    {
        Assert.Equal(_emulator.KubeconfigToken, _config.AccessToken);
        _emulator.AcceptedTokens = new HashSet<string> { _emulator.KubeconfigToken };
        Assert.Contains((await _client.CoreV1.ListNamespaceAsync()).Items, n => n.Metadata.Name == "kube-system");

        _emulator.AcceptedTokens = new HashSet<string> { "another" };
        var denied = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ListNamespaceAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, denied.Response.StatusCode);
    }

    [Fact]
    public async Task Pods_AreCreatedReadReplacedPatchedListedAndDeleted()
    {
        var created = await _client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "p", Labels = new Dictionary<string, string> { ["app"] = "orders" } },
            Spec = new V1PodSpec { Containers = [new V1Container { Name = "sidecar", Image = "sidecar:1", Ports = [new V1ContainerPort { ContainerPort = 8901, Name = "admin" }] }] },
        }, Ns);
        Assert.Equal("Pending", created.Status.Phase);

        created.Metadata.Labels["tier"] = "db";
        var replaced = await _client.CoreV1.ReplaceNamespacedPodAsync(created, "p", Ns);
        Assert.Equal("db", replaced.Metadata.Labels["tier"]);

        var patch = new V1Patch("""{"metadata":{"annotations":{"a":"1"}}}""", V1Patch.PatchType.MergePatch);
        var patched = await _client.CoreV1.PatchNamespacedPodAsync(patch, "p", Ns);
        Assert.Equal("1", patched.Metadata.Annotations["a"]);

        var status = new V1Patch("""{"status":{"phase":"Running","podIP":"127.0.0.1"}}""", V1Patch.PatchType.MergePatch);
        var running = await _client.CoreV1.PatchNamespacedPodStatusAsync(status, "p", Ns);
        Assert.Equal("Running", running.Status.Phase);

        var listed = await _client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "app=orders,tier in (db)");
        Assert.Equal(["p"], listed.Items.Select(p => p.Metadata.Name));
        Assert.Empty((await _client.CoreV1.ListNamespacedPodAsync(Ns, fieldSelector: "status.phase=Pending")).Items);

        await _client.CoreV1.DeleteNamespacedPodAsync("p", Ns);
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReadNamespacedPodAsync("p", Ns));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
    }

    [Fact]
    public async Task ConfigMaps_TakeJsonStrategicAndServerSideApplyPatches()
    {
        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" }, Data = new Dictionary<string, string> { ["a"] = "1" } }, Ns);

        var json = new V1Patch("""[{"op":"add","path":"/data/b","value":"2"},{"op":"replace","path":"/data/a","value":"one"}]""", V1Patch.PatchType.JsonPatch);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "one", ["b"] = "2" }, (await _client.CoreV1.PatchNamespacedConfigMapAsync(json, "cm", Ns)).Data);

        var strategic = new V1Patch("""{"data":{"b":null,"c":"3"}}""", V1Patch.PatchType.StrategicMergePatch);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "one", ["c"] = "3" }, (await _client.CoreV1.PatchNamespacedConfigMapAsync(strategic, "cm", Ns)).Data);

        var apply = new V1Patch("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"applied"},"data":{"k":"v"}}""", V1Patch.PatchType.ApplyPatch);
        var applied = await _client.CoreV1.PatchNamespacedConfigMapAsync(apply, "applied", Ns, fieldManager: "official-client", force: true);
        Assert.Equal("v", applied.Data["k"]);
        Assert.Contains(applied.Metadata.ManagedFields, m => m.Manager == "official-client" && m.Operation == "Apply");

        var current = await _client.CoreV1.ReadNamespacedConfigMapAsync("cm", Ns);
        var stale = await _client.CoreV1.ReadNamespacedConfigMapAsync("cm", Ns);
        current.Data["a"] = "fresh";
        await _client.CoreV1.ReplaceNamespacedConfigMapAsync(current, "cm", Ns);
        stale.Data["a"] = "lost update";
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CoreV1.ReplaceNamespacedConfigMapAsync(stale, "cm", Ns));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
    }

    [Fact]
    public async Task Secrets_StoreStringDataAsBase64Data()
    {
        await _client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" }, StringData = new Dictionary<string, string> { ["token"] = "t0p" } }, Ns);
        var read = await _client.CoreV1.ReadNamespacedSecretAsync("s", Ns);
        Assert.Equal("t0p", Encoding.UTF8.GetString(read.Data["token"]));
        Assert.Null(read.StringData);
        await _client.CoreV1.DeleteNamespacedSecretAsync("s", Ns);
        Assert.Empty((await _client.CoreV1.ListNamespacedSecretAsync(Ns)).Items);
    }

    [Fact]
    public async Task ReplicationMesh_ThroughCustomObjects_KeepsSpecAndStatusApart()
    {
        var mesh = Mesh("orders");
        var created = (JsonElement)await _client.CustomObjects.CreateNamespacedCustomObjectAsync(mesh, MeshGroup, MeshVersion, Ns, MeshPlural);
        Assert.Equal(1, created.GetProperty("metadata").GetProperty("generation").GetInt64());

        var status = new V1Patch("""{"status":{"observedGeneration":1,"readyMembers":2}}""", V1Patch.PatchType.MergePatch);
        var withStatus = (JsonElement)await _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(status, MeshGroup, MeshVersion, Ns, MeshPlural, "orders");
        Assert.Equal(2, withStatus.GetProperty("status").GetProperty("readyMembers").GetInt32());
        Assert.Equal(1, withStatus.GetProperty("metadata").GetProperty("generation").GetInt64());

        var spec = new V1Patch("""{"spec":{"databases":["orders","audit"]},"status":{"readyMembers":0}}""", V1Patch.PatchType.MergePatch);
        var changed = (JsonElement)await _client.CustomObjects.PatchNamespacedCustomObjectAsync(spec, MeshGroup, MeshVersion, Ns, MeshPlural, "orders");
        Assert.Equal(2, changed.GetProperty("metadata").GetProperty("generation").GetInt64());
        Assert.Equal(2, changed.GetProperty("status").GetProperty("readyMembers").GetInt32());

        var list = (JsonElement)await _client.CustomObjects.ListNamespacedCustomObjectAsync(MeshGroup, MeshVersion, Ns, MeshPlural);
        Assert.Equal("orders", list.GetProperty("items")[0].GetProperty("metadata").GetProperty("name").GetString());

        await _client.CustomObjects.DeleteNamespacedCustomObjectAsync(MeshGroup, MeshVersion, Ns, MeshPlural, "orders");
        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => _client.CustomObjects.GetNamespacedCustomObjectAsync(MeshGroup, MeshVersion, Ns, MeshPlural, "orders"));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
    }

    [Fact]
    public async Task Watch_DeliversBookmarks_AndResumesAfterTheLastSeenVersion()
    {
        var start = (await _client.CoreV1.ListNamespacedConfigMapAsync(Ns)).Metadata.ResourceVersion;
        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "a" } }, Ns);

        string? lastSeen = null;
        var seen = new List<(WatchEventType, string)>();
        using (var cts = new CancellationTokenSource(Deadline))
        {
            await foreach (var (type, item) in _client.CoreV1.WatchListNamespacedConfigMapAsync(Ns, allowWatchBookmarks: true, resourceVersion: start, cancellationToken: cts.Token))
            {
                seen.Add((type, item.Metadata.Name ?? ""));
                lastSeen = item.Metadata.ResourceVersion;
                if (type == WatchEventType.Bookmark)
                {
                    break;
                }
            }
        }

        Assert.Equal((WatchEventType.Added, "a"), seen[0]);
        Assert.Equal(WatchEventType.Bookmark, seen[^1].Item1);

        await _client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "b" } }, Ns);
        using var resume = new CancellationTokenSource(Deadline);
        await foreach (var (type, item) in _client.CoreV1.WatchListNamespacedConfigMapAsync(Ns, resourceVersion: lastSeen, cancellationToken: resume.Token))
        {
            Assert.Equal((WatchEventType.Added, "b"), (type, item.Metadata.Name));
            break;
        }
    }

    [Fact]
    public async Task LeaderElector_TakesTheLease_AndTheNextCandidateTakesOverWhenTheLeaderStops()
    {
        using var first = Elector("first");
        var firstLeads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        first.OnStartedLeading += () => firstLeads.TrySetResult();
        using var firstStop = new CancellationTokenSource();
        var firstRun = first.RunUntilLeadershipLostAsync(firstStop.Token);
        await firstLeads.Task.WaitAsync(Deadline);
        Assert.Equal("first", (await _client.CoordinationV1.ReadNamespacedLeaseAsync("emulator-leader", Ns)).Spec.HolderIdentity);

        using var second = Elector("second");
        var secondLeads = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        second.OnStartedLeading += () => secondLeads.TrySetResult();
        using var secondStop = new CancellationTokenSource();
        var secondRun = second.RunUntilLeadershipLostAsync(secondStop.Token);
        await firstStop.CancelAsync();
        await EndedAsync(firstRun);
        await secondLeads.Task.WaitAsync(Deadline);
        Assert.Equal("second", (await _client.CoordinationV1.ReadNamespacedLeaseAsync("emulator-leader", Ns)).Spec.HolderIdentity);
        await secondStop.CancelAsync();
        await EndedAsync(secondRun);
    }

    private static async Task EndedAsync(Task run)
    {
        try
        {
            await run.WaitAsync(Deadline);
        }
        catch (OperationCanceledException)
        {
            // Stopped by its token, as asked.
        }
    }

    private LeaderElector Elector(string identity) => new(new LeaderElectionConfig(new LeaseLock(_client, Ns, "emulator-leader", identity))
    {
        LeaseDuration = TimeSpan.FromSeconds(2),
        RenewDeadline = TimeSpan.FromSeconds(1),
        RetryPeriod = TimeSpan.FromMilliseconds(200),
    });
}
