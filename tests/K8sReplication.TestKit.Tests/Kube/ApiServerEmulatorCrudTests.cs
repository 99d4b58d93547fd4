using System.Net;
using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube;
using static K8sReplication.TestKit.Tests.Kube.Objects;

namespace K8sReplication.TestKit.Tests.Kube;

public sealed class ApiServerEmulatorCrudTests : IAsyncLifetime
{
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

    [Fact]
    public async Task Create_Get_Update_Delete_RoundTrip_WithMonotonicResourceVersions()
    {
        var created = await _http.CreateAsync(ConfigMaps, ConfigMap("a"));
        Assert.False(string.IsNullOrEmpty(Uid(created)));
        Assert.NotNull(created["metadata"]!["creationTimestamp"]);
        Assert.Equal("default", created["metadata"]!["namespace"]!.GetValue<string>());

        var (status, fetched) = await _http.GetAsync($"{ConfigMaps}/a");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(Rv(created), Rv(fetched));

        fetched["data"]!["key"] = "changed";
        var (updateStatus, updated) = await _http.PutAsync($"{ConfigMaps}/a", fetched);
        Assert.Equal(HttpStatusCode.OK, updateStatus);
        Assert.True(RvNumber(updated) > RvNumber(created));
        Assert.Equal(Uid(created), Uid(updated));

        var other = await _http.CreateAsync(ConfigMaps, ConfigMap("b"));
        Assert.True(RvNumber(other) > RvNumber(updated), "the resourceVersion is cluster-wide and increases on every write");

        var (deleteStatus, _) = await _http.DeleteAsync($"{ConfigMaps}/a");
        Assert.Equal(HttpStatusCode.OK, deleteStatus);
        var (goneStatus, gone) = await _http.GetAsync($"{ConfigMaps}/a");
        Assert.Equal(HttpStatusCode.NotFound, goneStatus);
        Assert.Equal("Status", gone["kind"]!.GetValue<string>());
        Assert.Equal("NotFound", gone["reason"]!.GetValue<string>());
        Assert.Equal("configmaps \"a\" not found", gone["message"]!.GetValue<string>());
        Assert.Equal(404, gone["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Create_Twice_Is409AlreadyExists()
    {
        await _http.CreateAsync(ConfigMaps, ConfigMap("dup"));
        var (status, body) = await _http.PostAsync(ConfigMaps, ConfigMap("dup"));
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("AlreadyExists", body["reason"]!.GetValue<string>());
        Assert.Equal("configmaps \"dup\" already exists", body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_WithStaleResourceVersion_Is409Conflict_AndChangesNothing()
    {
        var created = await _http.CreateAsync(ConfigMaps, ConfigMap("c"));
        var first = created.DeepClone().AsObject();
        first["data"]!["key"] = "first";
        Assert.Equal(HttpStatusCode.OK, (await _http.PutAsync($"{ConfigMaps}/c", first)).Status);

        var stale = created.DeepClone().AsObject();
        stale["data"]!["key"] = "stale";
        var (status, body) = await _http.PutAsync($"{ConfigMaps}/c", stale);
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal("Conflict", body["reason"]!.GetValue<string>());
        Assert.Contains("the object has been modified; please apply your changes to the latest version and try again", body["message"]!.GetValue<string>());
        Assert.Equal("first", (await _http.GetAsync($"{ConfigMaps}/c")).Body["data"]!["key"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_InMissingNamespace_Is404_AndGenerateNameMakesAUniqueName()
    {
        var (status, body) = await _http.PostAsync("/api/v1/namespaces/nope/configmaps", ConfigMap("x"));
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("namespaces \"nope\" not found", body["message"]!.GetValue<string>());

        var generated = new JsonObject { ["metadata"] = new JsonObject { ["generateName"] = "gen-" } };
        var one = await _http.CreateAsync(ConfigMaps, generated);
        var two = await _http.CreateAsync(ConfigMaps, generated);
        Assert.StartsWith("gen-", Name(one));
        Assert.NotEqual(Name(one), Name(two));
    }

    [Fact]
    public async Task Create_WithInvalidName_Is422_NamingTheField()
    {
        var (status, body) = await _http.PostAsync(ConfigMaps, ConfigMap("Bad_Name"));
        Assert.Equal((HttpStatusCode)422, status);
        Assert.Equal("Invalid", body["reason"]!.GetValue<string>());
        Assert.StartsWith("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain", body["message"]!.GetValue<string>());
        Assert.Equal("metadata.name", body["details"]!["causes"]![0]!["field"]!.GetValue<string>());
    }

    [Fact]
    public async Task LabelSelectors_SupportEqualityAndSetOperators()
    {
        await _http.CreateAsync(ConfigMaps, ConfigMap("web-prod", new() { ["app"] = "web", ["env"] = "prod" }));
        await _http.CreateAsync(ConfigMaps, ConfigMap("web-dev", new() { ["app"] = "web", ["env"] = "dev" }));
        await _http.CreateAsync(ConfigMaps, ConfigMap("db-prod", new() { ["app"] = "db", ["env"] = "prod", ["tier"] = "data" }));

        async Task<string[]> Names(string selector)
        {
            var (status, list) = await _http.GetAsync($"{ConfigMaps}?labelSelector={Uri.EscapeDataString(selector)}");
            Assert.Equal(HttpStatusCode.OK, status);
            return [.. list["items"]!.AsArray().Select(i => Name(i!)).Order()];
        }

        Assert.Equal(["web-dev", "web-prod"], await Names("app=web"));
        Assert.Equal(["web-dev", "web-prod"], await Names("app==web"));
        Assert.Equal(["db-prod"], await Names("app!=web"));
        Assert.Equal(["db-prod", "web-prod"], await Names("env in (prod,staging)"));
        Assert.Equal(["web-dev"], await Names("env notin (prod)"));
        Assert.Equal(["db-prod"], await Names("tier"));
        Assert.Equal(["web-dev", "web-prod"], await Names("!tier"));
        Assert.Equal(["web-prod"], await Names("app=web,env=prod"));

        var (badStatus, bad) = await _http.GetAsync($"{ConfigMaps}?labelSelector={Uri.EscapeDataString("env in prod")}");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Contains("unable to parse requirement", bad["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task FieldSelectors_MatchNameNamespaceAndPodPhase()
    {
        await _http.CreateAsync(ConfigMaps, ConfigMap("one"));
        await _http.CreateAsync(ConfigMaps, ConfigMap("two"));
        var (_, byName) = await _http.GetAsync($"/api/v1/configmaps?fieldSelector=metadata.name%3Done");
        Assert.Equal(["one"], byName["items"]!.AsArray().Select(i => Name(i!)));
        var (_, notName) = await _http.GetAsync($"{ConfigMaps}?fieldSelector=metadata.name!%3Done,metadata.namespace%3Ddefault");
        Assert.Equal(["two"], notName["items"]!.AsArray().Select(i => Name(i!)));

        var pod = new JsonObject { ["metadata"] = new JsonObject { ["name"] = "p" }, ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "i" }) } };
        var created = await _http.CreateAsync(Pods, pod);
        Assert.Equal("Pending", created["status"]!["phase"]!.GetValue<string>());
        var (_, pending) = await _http.GetAsync($"{Pods}?fieldSelector=status.phase%3DPending");
        Assert.Single(pending["items"]!.AsArray());
        Assert.Equal(HttpStatusCode.OK, (await _http.PatchAsync($"{Pods}/p/status", """{"status":{"phase":"Running"}}""")).Status);
        var (_, running) = await _http.GetAsync($"{Pods}?fieldSelector=status.phase%3DRunning");
        Assert.Single(running["items"]!.AsArray());
        var (_, stillPending) = await _http.GetAsync($"{Pods}?fieldSelector=status.phase%3DPending");
        Assert.Empty(stillPending["items"]!.AsArray());
    }

    [Fact]
    public async Task List_Paging_ReturnsEveryItemOnceAcrossPages()
    {
        for (var i = 0; i < 7; i++)
        {
            await _http.CreateAsync(ConfigMaps, ConfigMap($"page-{i}"));
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var path = $"{ConfigMaps}?limit=3" + (token is null ? "" : $"&continue={Uri.EscapeDataString(token)}");
            var (status, page) = await _http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(page["items"]!.AsArray().Count <= 3);
            seen.AddRange(page["items"]!.AsArray().Select(i => Name(i!)));
            token = page["metadata"]!["continue"]?.GetValue<string>();
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"page-{i}"), seen);
    }

    [Fact]
    public async Task MergePatch_JsonPatch_AndStrategicMergePatch_ApplyLikeTheRealServer()
    {
        await _http.CreateAsync(ConfigMaps, ConfigMap("p", new() { ["a"] = "1" }));
        var (mergeStatus, merged) = await _http.PatchAsync($"{ConfigMaps}/p", """{"metadata":{"labels":{"b":"2","a":null}},"data":{"extra":"x"}}""");
        Assert.Equal(HttpStatusCode.OK, mergeStatus);
        Assert.Equal("""{"b":"2"}""", merged["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal("x", merged["data"]!["extra"]!.GetValue<string>());

        var (jsonStatus, patched) = await _http.PatchAsync($"{ConfigMaps}/p", """[{"op":"replace","path":"/data/key","value":"jp"},{"op":"remove","path":"/data/extra"}]""", "application/json-patch+json");
        Assert.Equal(HttpStatusCode.OK, jsonStatus);
        Assert.Equal("""{"key":"jp"}""", patched["data"]!.ToJsonString());

        var deployment = JsonNode.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
             "spec":{"selector":{"matchLabels":{"app":"d"}},"template":{"metadata":{"labels":{"app":"d"}},
             "spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1","env":[{"name":"X","value":"1"}]}]}}}}
            """)!.AsObject();
        await _http.CreateAsync("/apis/apps/v1/namespaces/default/deployments", deployment);
        var (smpStatus, smp) = await _http.PatchAsync("/apis/apps/v1/namespaces/default/deployments/d",
            """{"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b:2","env":[{"name":"Y","value":"2"}]}]}}}}""", "application/strategic-merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, smpStatus);
        var containers = smp["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        Assert.Equal(2, containers.Count);
        Assert.Equal("a:1", containers[0]!["image"]!.GetValue<string>());
        Assert.Equal("b:2", containers[1]!["image"]!.GetValue<string>());
        Assert.Equal(["X", "Y"], containers[1]!["env"]!.AsArray().Select(e => e!["name"]!.GetValue<string>()));
        Assert.Equal(2, Generation(smp));
    }

    [Fact]
    public async Task DeleteCollection_RemovesOnlySelectedObjects()
    {
        await _http.CreateAsync(ConfigMaps, ConfigMap("x1", new() { ["batch"] = "x" }));
        await _http.CreateAsync(ConfigMaps, ConfigMap("x2", new() { ["batch"] = "x" }));
        await _http.CreateAsync(ConfigMaps, ConfigMap("keep", new() { ["batch"] = "y" }));
        var (status, deleted) = await _http.DeleteAsync($"{ConfigMaps}?labelSelector=batch%3Dx");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, deleted["items"]!.AsArray().Count);
        var (_, left) = await _http.GetAsync(ConfigMaps);
        Assert.Equal(["keep"], left["items"]!.AsArray().Select(i => Name(i!)));
    }

    [Fact]
    public async Task UnknownResource_AndUnknownPath_Are404Status()
    {
        var (status, body) = await _http.GetAsync("/apis/nothing.example.com/v1/namespaces/default/things");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Status", body["kind"]!.GetValue<string>());
        var (pathStatus, _) = await _http.GetAsync("/not/a/path");
        Assert.Equal(HttpStatusCode.NotFound, pathStatus);
    }

    [Fact]
    public async Task Discovery_ListsBuiltInGroupsAndResources()
    {
        var (_, version) = await _http.GetAsync("/version");
        Assert.Equal("1", version["major"]!.GetValue<string>());
        var (_, api) = await _http.GetAsync("/api");
        Assert.Equal("v1", api["versions"]![0]!.GetValue<string>());
        var (_, core) = await _http.GetAsync("/api/v1");
        var pods = core["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "pods")!;
        Assert.True(pods["namespaced"]!.GetValue<bool>());
        Assert.Contains(core["resources"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "pods/status");
        var (_, groups) = await _http.GetAsync("/apis");
        var names = groups["groups"]!.AsArray().Select(g => g!["name"]!.GetValue<string>()).ToList();
        foreach (var expected in new[] { "apps", "coordination.k8s.io", "events.k8s.io", "apiextensions.k8s.io", "rbac.authorization.k8s.io", "policy", "admissionregistration.k8s.io" })
        {
            Assert.Contains(expected, names);
        }

        var (_, leases) = await _http.GetAsync("/apis/coordination.k8s.io/v1");
        Assert.Contains(leases["resources"]!.AsArray(), r => r!["kind"]!.GetValue<string>() == "Lease");
    }
}
