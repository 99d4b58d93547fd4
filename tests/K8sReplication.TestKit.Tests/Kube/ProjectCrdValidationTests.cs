using System.Net;
using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube;
using K8sReplication.TestKit.Kube.Patching;
using static K8sReplication.TestKit.Tests.Kube.Objects;

namespace K8sReplication.TestKit.Tests.Kube;

/// <summary>The project's generated CRD in the emulator: its defaults, bounds and CEL rules hold like on a real server.</summary>
public sealed class ProjectCrdValidationTests : IAsyncLifetime
{
    private ApiServerEmulator _emulator = null!;
    private KubeHttp _http = null!;

    public async Task InitializeAsync()
    {
        _emulator = await ApiServerEmulator.StartAsync();
        _http = new KubeHttp(_emulator.Url);
        var path = Path.Combine(RepoPaths.Root, "crds", "replicationmeshes.replication.k8srepl.dev.yaml");
        Assert.True(File.Exists(path), $"the generated CRD is expected at {path}");
        await _http.CreateAsync(Crds, (JsonObject)YamlToJson.Parse(await File.ReadAllTextAsync(path))!);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task TransitionRule_KeepsDatabasePathImmutable()
    {
        var spec = JsonNode.Parse("""{"selector":{"matchLabels":{"app":"a"}},"database":{"path":"/data/a.db"}}""")!.AsObject();
        await _http.CreateAsync(Meshes, Mesh("immutable", spec));
        var (status, body) = await _http.PatchAsync($"{Meshes}/immutable", """{"spec":{"database":{"path":"/data/b.db"}}}""");
        Assert.Equal((HttpStatusCode)422, status);
        Assert.Contains("spec.database.path: Invalid value: \"string\": database.path is immutable", body["message"]!.GetValue<string>());

        var (okStatus, _) = await _http.PatchAsync($"{Meshes}/immutable", """{"spec":{"replicationPort":9000}}""");
        Assert.Equal(HttpStatusCode.OK, okStatus);
    }

    [Fact]
    public async Task Rule_RejectsInWithoutValues()
    {
        var spec = JsonNode.Parse("""{"selector":{"matchExpressions":[{"key":"app","operator":"In"}]}}""")!.AsObject();
        var (status, body) = await _http.PostAsync(Meshes, Mesh("expr", spec));
        Assert.Equal((HttpStatusCode)422, status);
        Assert.Contains("spec.selector.matchExpressions[0]: Invalid value: \"object\": values must be non-empty for In and NotIn", body["message"]!.GetValue<string>());
    }
}
