using System.Net;
using K8sReplication.TestKit.Kube;
using static K8sReplication.TestKit.Tests.Kube.Objects;

namespace K8sReplication.TestKit.Tests.Kube;

/// <summary>The real kubectl against the emulator: what an operator user does with our CRD.</summary>
public sealed class KubectlTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private ApiServerEmulator _emulator = null!;
    private KubeHttp _http = null!;
    private Kubectl _kubectl = null!;

    public async Task InitializeAsync()
    {
        _emulator = await ApiServerEmulator.StartAsync();
        _http = new KubeHttp(_emulator.Url);
        var home = Directory.CreateTempSubdirectory("k8srepl-kubeconfig-").FullName;
        _kubectl = new Kubectl(_emulator.WriteKubeconfig(Path.Combine(home, "config")));
    }

    public async Task DisposeAsync()
    {
        _kubectl.Dispose();
        _http.Dispose();
        await _emulator.DisposeAsync();
    }

    private async Task<KubectlResult> OkAsync(params string[] args)
    {
        var result = await _kubectl.RunAsync(args);
        Assert.True(result.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed: {result}");
        return result;
    }

    private async Task ApplyCrdAndMeshAsync(params string[] extra)
    {
        var crd = await OkAsync(["apply", "-f", _kubectl.WriteManifest("crd.yaml", TestManifests.MeshCrdYaml), .. extra]);
        Assert.Contains("customresourcedefinition.apiextensions.k8s.io/replicationmeshes.replication.k8srepl.dev", crd.Stdout);
        var mesh = await OkAsync(["apply", "-f", _kubectl.WriteManifest("mesh.yaml", TestManifests.OrdersMeshYaml), .. extra]);
        Assert.Contains("replicationmesh.replication.k8srepl.dev/orders", mesh.Stdout);
    }

    private Task SetStatusAsync(string status) => _http.PatchAsync($"{Meshes}/orders/status", status);

    [Fact]
    public async Task ClientSideApply_CreatesThenConfiguresThenLeavesUnchanged()
    {
        await ApplyCrdAndMeshAsync();
        var (_, created) = await _http.GetAsync($"{Meshes}/orders");
        Assert.Equal(7070, created["spec"]!["replicationPort"]!.GetValue<int>());
        Assert.NotNull(created["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]);

        var changed = TestManifests.OrdersMeshYaml.Replace("app: orders", "app: orders-v2", StringComparison.Ordinal);
        var configured = await OkAsync("apply", "-f", _kubectl.WriteManifest("mesh.yaml", changed));
        Assert.Contains("configured", configured.Stdout);
        var unchanged = await OkAsync("apply", "-f", _kubectl.WriteManifest("mesh.yaml", changed));
        Assert.Contains("unchanged", unchanged.Stdout);

        var (_, updated) = await _http.GetAsync($"{Meshes}/orders");
        Assert.Equal("orders-v2", updated["spec"]!["selector"]!["matchLabels"]!["app"]!.GetValue<string>());
        Assert.Equal(2, Generation(updated));
    }

    [Fact]
    public async Task ServerSideApply_CreatesThenUpdates()
    {
        await ApplyCrdAndMeshAsync("--server-side");
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"{Meshes}/orders")).Status);
        var changed = TestManifests.OrdersMeshYaml.Replace("databases: [orders]", "databases: [orders, audit]", StringComparison.Ordinal);
        var result = await OkAsync("apply", "--server-side", "-f", _kubectl.WriteManifest("mesh.yaml", changed));
        Assert.Contains("serverside-applied", result.Stdout);
        var (_, updated) = await _http.GetAsync($"{Meshes}/orders");
        Assert.Equal(["orders", "audit"], updated["spec"]!["databases"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.Equal(2, Generation(updated));
        Assert.Contains(updated["metadata"]!["managedFields"]!.AsArray(), m => m!["manager"]!.GetValue<string>() == "kubectl" && m["operation"]!.GetValue<string>() == "Apply");
    }

    [Fact]
    public async Task Get_ShowsPrinterColumns_ByShortName()
    {
        await ApplyCrdAndMeshAsync();
        await SetStatusAsync("""{"status":{"members":3,"readyMembers":2,"maxLag":"250ms","conditions":[{"type":"Converged","status":"True"}]}}""");
        var result = await OkAsync("get", "rmesh");
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+MEMBERS\s+READY\s+CONVERGED\s+MAX-LAG\s+AGE$", lines[0]);
        Assert.Matches(@"^orders\s+3\s+2\s+True\s+250ms\s+\d+s$", lines[1]);
    }

    [Fact]
    public async Task GetYaml_AndDescribe_ShowTheStoredObject()
    {
        await ApplyCrdAndMeshAsync();
        var yaml = await OkAsync("get", "replicationmesh", "orders", "-o", "yaml");
        Assert.Contains("kind: ReplicationMesh", yaml.Stdout);
        Assert.Contains("replicationPort: 7070", yaml.Stdout);
        Assert.Contains("mode: MultiMaster", yaml.Stdout);

        var describe = await OkAsync("describe", "rmesh", "orders");
        Assert.Matches(@"Name:\s+orders", describe.Stdout);
        Assert.Matches(@"Replication Port:\s+7070", describe.Stdout);
        Assert.Contains("Events:", describe.Stdout);
    }

    [Fact]
    public async Task Create_WithTypedGenerators_SendsProtobufTheEmulatorUnderstands()
    {
        await OkAsync("create", "namespace", "typed");
        await OkAsync("create", "configmap", "cm", "--from-literal=a=b", "-n", "typed");
        await OkAsync("create", "secret", "generic", "s", "--from-literal=password=hunter2", "-n", "typed");
        await OkAsync("create", "serviceaccount", "bot", "-n", "typed");
        var (_, cm) = await _http.GetAsync("/api/v1/namespaces/typed/configmaps/cm");
        Assert.Equal("b", cm["data"]!["a"]!.GetValue<string>());
        var (_, secret) = await _http.GetAsync("/api/v1/namespaces/typed/secrets/s");
        Assert.Equal(Convert.ToBase64String("hunter2"u8.ToArray()), secret["data"]!["password"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/api/v1/namespaces/typed/serviceaccounts/bot")).Status);
        await OkAsync("delete", "namespace", "typed");
    }

    [Fact]
    public async Task Explain_ShowsTheCrdSchema()
    {
        await ApplyCrdAndMeshAsync();
        var result = await OkAsync("explain", "rmesh.spec");
        Assert.Matches(@"replicationPort\s+<integer>", result.Stdout);
        Assert.Matches(@"selector\s+<Object> -required-", result.Stdout);
    }

    [Fact]
    public async Task Delete_RemovesTheObject()
    {
        await ApplyCrdAndMeshAsync();
        var result = await OkAsync("delete", "rmesh", "orders");
        Assert.Contains("replicationmesh.replication.k8srepl.dev \"orders\" deleted", result.Stdout);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"{Meshes}/orders")).Status);
        var empty = await OkAsync("get", "rmesh");
        Assert.Contains("No resources found", empty.Stderr);
    }

    [Fact]
    public async Task GetWatch_ReceivesAStatusChange()
    {
        await ApplyCrdAndMeshAsync();
        using var watch = _kubectl.StartLongRunning("get", "rmesh", "-w");
        await Eventually.TrueAsync(() => watch.Output.Contains("orders", StringComparison.Ordinal), Deadline, "kubectl get -w to list the mesh");
        await SetStatusAsync("""{"status":{"members":5,"readyMembers":5,"maxLag":"0s","conditions":[{"type":"Converged","status":"True"}]}}""");
        await Eventually.TrueAsync(
            () => watch.Output.Split('\n').Any(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^orders\s+5\s+5\s+True\s+0s")),
            Deadline, "kubectl get -w to print the changed row");
    }

    [Fact]
    public async Task Apply_OfAnInvalidObject_IsRejectedNamingTheField()
    {
        await ApplyCrdAndMeshAsync();
        var result = await _kubectl.RunAsync("apply", "-f", _kubectl.WriteManifest("bad.yaml", TestManifests.InvalidMeshYaml));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("spec.replicationPort: Invalid value: 70000: spec.replicationPort in body should be less than or equal to 65535", result.Stderr);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"{Meshes}/broken")).Status);
    }

    [Fact]
    public async Task Apply_OfBuiltInKinds_CreatesThenMergesContainerLists()
    {
        var manifest = BuiltInManifests.Operator("op:1");
        var created = await OkAsync("apply", "-f", _kubectl.WriteManifest("op.yaml", manifest));
        foreach (var expected in new[] { "namespace/k8srepl-system created", "serviceaccount/op created", "deployment.apps/op created", "clusterrole.rbac.authorization.k8s.io/k8srepl-op created", "clusterrolebinding.rbac.authorization.k8s.io/k8srepl-op created", "poddisruptionbudget.policy/op created", "service/op created", "role.rbac.authorization.k8s.io/op created", "validatingwebhookconfiguration.admissionregistration.k8s.io/k8srepl created" })
        {
            Assert.Contains(expected, created.Stdout);
        }

        var updated = await OkAsync("apply", "-f", _kubectl.WriteManifest("op.yaml", BuiltInManifests.Operator("op:2")));
        Assert.Contains("deployment.apps/op configured", updated.Stdout);
        var (_, deployment) = await _http.GetAsync("/apis/apps/v1/namespaces/k8srepl-system/deployments/op");
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("op:2", container["image"]!.GetValue<string>());
        Assert.Equal("8080", container["ports"]![0]!["containerPort"]!.ToJsonString());

        var ssa = await OkAsync("apply", "--server-side", "-f", _kubectl.WriteManifest("op.yaml", BuiltInManifests.Operator("op:3")));
        Assert.Contains("deployment.apps/op serverside-applied", ssa.Stdout);
        var pods = await OkAsync("get", "deployments,services", "-n", "k8srepl-system");
        Assert.Contains("deployment.apps/op", pods.Stdout);
    }

    [Fact]
    public async Task TheProjectsOwnCrd_Applies_DefaultsAndValidatesMeshes()
    {
        var crdPath = Path.Combine(RepoPaths.Root, "crds", "replicationmeshes.replication.k8srepl.dev.yaml");
        Assert.True(File.Exists(crdPath), $"the generated CRD is expected at {crdPath}");
        await OkAsync("apply", "-f", crdPath);
        const string Mesh = """
            apiVersion: replication.k8srepl.dev/v1alpha1
            kind: ReplicationMesh
            metadata:
              name: minimal
            spec:
              selector:
                matchLabels: {app: a}
            """;
        await OkAsync("apply", "--server-side", "-f", _kubectl.WriteManifest("minimal.yaml", Mesh));
        var (_, stored) = await _http.GetAsync($"{Meshes}/minimal");
        Assert.Equal(8900, stored["spec"]!["replicationPort"]!.GetValue<int>());

        var invalid = Mesh.Replace("name: minimal", "name: invalid", StringComparison.Ordinal) + "\n  replicationPort: 0\n";
        var rejected = await _kubectl.RunAsync("apply", "-f", _kubectl.WriteManifest("invalid.yaml", invalid));
        Assert.NotEqual(0, rejected.ExitCode);
        Assert.Contains("spec.replicationPort in body should be greater than or equal to 1", rejected.Stderr);
    }
}
