using System.Net;
using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube;
using static K8sReplication.TestKit.Tests.Kube.Objects;

namespace K8sReplication.TestKit.Tests.Kube;

public sealed class ApiServerEmulatorGarbageCollectionTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private ApiServerEmulator _emulator = null!;
    private KubeHttp _http = null!;

    public async Task InitializeAsync()
    {
        _emulator = await ApiServerEmulator.StartAsync();
        _http = new KubeHttp(_emulator.Url);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _emulator.DisposeAsync();
    }

    private async Task<JsonObject> CreateOwnedAsync(string name, JsonObject owner)
    {
        var child = ConfigMap(name);
        child["metadata"]!["ownerReferences"] = new JsonArray(OwnerRef(owner));
        return await _http.CreateAsync(ConfigMaps, child);
    }

    private Task GoneAsync(string name) => Eventually.ValueAsync(
        async () => (await _http.GetAsync($"{ConfigMaps}/{name}")).Status, s => s == HttpStatusCode.NotFound, Deadline, $"{name} to be garbage collected");

    [Fact]
    public async Task BackgroundDeletion_CollectsOwnedObjects()
    {
        var owner = await _http.CreateAsync(ConfigMaps, ConfigMap("owner"));
        await CreateOwnedAsync("child-1", owner);
        await CreateOwnedAsync("child-2", owner);
        var unrelated = await _http.CreateAsync(ConfigMaps, ConfigMap("unrelated"));

        await _http.DeleteAsync($"{ConfigMaps}/owner", new JsonObject { ["propagationPolicy"] = "Background" });
        await GoneAsync("child-1");
        await GoneAsync("child-2");
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"{ConfigMaps}/{Name(unrelated)}")).Status);
    }

    [Fact]
    public async Task OwnerOfAnUnknownKind_IsNeverTreatedAsGone()
    {
        var child = ConfigMap("foreign");
        child["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "example.com/v1", ["kind"] = "Widget", ["name"] = "w", ["uid"] = "no-such-uid" });
        await _http.CreateAsync(ConfigMaps, child);
        var dangling = ConfigMap("dangling");
        dangling["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["name"] = "ghost", ["uid"] = "no-such-uid" });
        await _http.CreateAsync(ConfigMaps, dangling);

        await GoneAsync("dangling");
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"{ConfigMaps}/foreign")).Status);
    }

    [Fact]
    public async Task OrphanDeletion_KeepsDependents_AndDropsTheirOwnerReference()
    {
        var owner = await _http.CreateAsync(ConfigMaps, ConfigMap("owner"));
        await CreateOwnedAsync("orphan", owner);
        await _http.DeleteAsync($"{ConfigMaps}/owner", new JsonObject { ["propagationPolicy"] = "Orphan" });
        var (status, orphan) = await _http.GetAsync($"{ConfigMaps}/orphan");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(orphan["metadata"]!["ownerReferences"]);
    }

    [Fact]
    public async Task ForegroundDeletion_RemovesDependentsFirst_ThenTheOwner()
    {
        var owner = await _http.CreateAsync(ConfigMaps, ConfigMap("owner"));
        var child = ConfigMap("held");
        child["metadata"]!["ownerReferences"] = new JsonArray(OwnerRef(owner));
        child["metadata"]!["finalizers"] = new JsonArray("test/hold");
        await _http.CreateAsync(ConfigMaps, child);

        var (_, deleting) = await _http.DeleteAsync($"{ConfigMaps}/owner", new JsonObject { ["propagationPolicy"] = "Foreground" });
        Assert.Contains("foregroundDeletion", deleting["metadata"]!["finalizers"]!.AsArray().Select(f => f!.GetValue<string>()));
        await Eventually.ValueAsync(async () => (await _http.GetAsync($"{ConfigMaps}/held")).Body, b => b["metadata"]?["deletionTimestamp"] is not null, Deadline, "the dependent to be marked for deletion");
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"{ConfigMaps}/owner")).Status);

        await _http.PatchAsync($"{ConfigMaps}/held", """{"metadata":{"finalizers":null}}""");
        await GoneAsync("held");
        await GoneAsync("owner");
    }

    [Fact]
    public async Task DeletingANamespace_EmptiesItThenRemovesIt()
    {
        await _http.CreateAsync("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "scratch" } });
        await _http.CreateAsync("/api/v1/namespaces/scratch/configmaps", ConfigMap("inside"));
        var (_, terminating) = await _http.DeleteAsync("/api/v1/namespaces/scratch");
        Assert.Equal("Terminating", terminating["status"]!["phase"]!.GetValue<string>());
        await Eventually.ValueAsync(async () => (await _http.GetAsync("/api/v1/namespaces/scratch")).Status, s => s == HttpStatusCode.NotFound, Deadline, "the namespace to be removed");
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/api/v1/namespaces/scratch/configmaps/inside")).Status);
    }
}
