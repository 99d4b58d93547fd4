using System.Net;
using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube;
using static K8sReplication.TestKit.Tests.Kube.Objects;

namespace K8sReplication.TestKit.Tests.Kube;

public sealed class ApiServerEmulatorCustomResourceTests : IAsyncLifetime
{
    private ApiServerEmulator _emulator = null!;
    private KubeHttp _http = null!;

    public async Task InitializeAsync()
    {
        _emulator = await ApiServerEmulator.StartAsync();
        _http = new KubeHttp(_emulator.Url);
        await InstallMeshCrdAsync(_http);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task Crd_IsEstablished_AndServedInDiscovery()
    {
        var (_, crd) = await _http.GetAsync($"{Crds}/replicationmeshes.replication.k8srepl.dev");
        Assert.Contains(crd["status"]!["conditions"]!.AsArray(), c => c!["type"]!.GetValue<string>() == "Established" && c["status"]!.GetValue<string>() == "True");
        var (_, group) = await _http.GetAsync("/apis/replication.k8srepl.dev");
        Assert.Equal("v1alpha1", group["preferredVersion"]!["version"]!.GetValue<string>());
        var (_, resources) = await _http.GetAsync("/apis/replication.k8srepl.dev/v1alpha1");
        var mesh = resources["resources"]!.AsArray().Single(r => r!["name"]!.GetValue<string>() == "replicationmeshes")!;
        Assert.Equal("ReplicationMesh", mesh["kind"]!.GetValue<string>());
        Assert.Equal("rmesh", mesh["shortNames"]![0]!.GetValue<string>());
        Assert.Contains(resources["resources"]!.AsArray(), r => r!["name"]!.GetValue<string>() == "replicationmeshes/status");
    }

    [Fact]
    public async Task Create_AppliesSchemaDefaults_AndPrunesUnknownFields()
    {
        var spec = JsonNode.Parse("""{"selector":{"matchLabels":{"app":"x"}},"unknown":1,"extra":{"kept":true}}""")!.AsObject();
        var created = await _http.CreateAsync(Meshes, Mesh("defaults", spec));
        Assert.Equal(7070, created["spec"]!["replicationPort"]!.GetValue<int>());
        Assert.Equal("MultiMaster", created["spec"]!["mode"]!.GetValue<string>());
        Assert.Null(created["spec"]!["unknown"]);
        Assert.True(created["spec"]!["extra"]!["kept"]!.GetValue<bool>());
        Assert.Equal(1, Generation(created));

        var (strictStatus, strict) = await _http.PostAsync($"{Meshes}?fieldValidation=Strict", Mesh("strict", spec.DeepClone().AsObject()));
        Assert.Equal(HttpStatusCode.BadRequest, strictStatus);
        Assert.Contains("unknown field \"spec.unknown\"", strict["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_WithInvalidFields_Is422_WordedLikeTheRealServer()
    {
        var spec = JsonNode.Parse("""{"selector":{},"replicationPort":70000}""")!.AsObject();
        var (status, body) = await _http.PostAsync(Meshes, Mesh("x", spec));
        Assert.Equal((HttpStatusCode)422, status);
        Assert.Equal("Invalid", body["reason"]!.GetValue<string>());
        Assert.Equal(
            "ReplicationMesh.replication.k8srepl.dev \"x\" is invalid: spec.replicationPort: Invalid value: 70000: spec.replicationPort in body should be less than or equal to 65535",
            body["message"]!.GetValue<string>());
        var cause = body["details"]!["causes"]![0]!;
        Assert.Equal("spec.replicationPort", cause["field"]!.GetValue<string>());
        Assert.Equal("FieldValueInvalid", cause["reason"]!.GetValue<string>());
        Assert.Equal("ReplicationMesh", body["details"]!["kind"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"{Meshes}/x")).Status);
    }

    [Theory]
    [InlineData("""{"replicationPort":80}""", "spec.selector: Required value")]
    [InlineData("""{"selector":{},"replicationPort":"80"}""", "spec.replicationPort: Invalid value: \"string\": spec.replicationPort in body must be of type integer: \"string\"")]
    [InlineData("""{"selector":{},"replicationPort":0}""", "spec.replicationPort in body should be greater than or equal to 1")]
    [InlineData("""{"selector":{},"mode":"Chaos"}""", "spec.mode: Unsupported value: \"Chaos\": supported values: \"MultiMaster\", \"Primary\"")]
    [InlineData("""{"selector":{},"databases":[]}""", "spec.databases in body should have at least 1 items")]
    [InlineData("""{"selector":{},"databases":["Bad"]}""", "spec.databases[0] in body should match '^[a-z][a-z0-9-]*$'")]
    [InlineData("""{"selector":{},"databases":["abcdefghijklmnopqrstuvwxyz"]}""", "spec.databases[0]: Too long: may not be more than 20 bytes")]
    public async Task Validation_ReportsEachKindOfViolation(string spec, string expected)
    {
        var (status, body) = await _http.PostAsync(Meshes, Mesh("v", JsonNode.Parse(spec)!.AsObject()));
        Assert.Equal((HttpStatusCode)422, status);
        Assert.Contains(expected, body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Generation_BumpsOnSpecChangesOnly_AndStatusGoesThroughTheSubresource()
    {
        var created = await _http.CreateAsync(Meshes, Mesh("g"));
        var (_, labelled) = await _http.PatchAsync($"{Meshes}/g", """{"metadata":{"labels":{"x":"y"}}}""");
        Assert.Equal(1, Generation(labelled));

        var (_, ignored) = await _http.PatchAsync($"{Meshes}/g", """{"status":{"members":3}}""");
        Assert.Null(ignored["status"]);
        Assert.Equal(1, Generation(ignored));

        var (statusCode, withStatus) = await _http.PatchAsync($"{Meshes}/g/status", """{"status":{"members":3},"spec":{"replicationPort":1}}""");
        Assert.Equal(HttpStatusCode.OK, statusCode);
        Assert.Equal(3, withStatus["status"]!["members"]!.GetValue<int>());
        Assert.Equal(7070, withStatus["spec"]!["replicationPort"]!.GetValue<int>());
        Assert.Equal(1, Generation(withStatus));

        var (_, respec) = await _http.PatchAsync($"{Meshes}/g", """{"spec":{"replicationPort":9000}}""");
        Assert.Equal(2, Generation(respec));
        Assert.Equal(3, respec["status"]!["members"]!.GetValue<int>());

        var noop = respec.DeepClone().AsObject();
        var (_, same) = await _http.PutAsync($"{Meshes}/g", noop);
        Assert.Equal(Rv(respec), Rv(same));
        Assert.True(RvNumber(respec) > RvNumber(created));
    }

    [Fact]
    public async Task Update_WithoutResourceVersion_IsRejectedForCustomResources()
    {
        var created = await _http.CreateAsync(Meshes, Mesh("rv"));
        var body = created.DeepClone().AsObject();
        body["metadata"]!.AsObject().Remove("resourceVersion");
        var (status, error) = await _http.PutAsync($"{Meshes}/rv", body);
        Assert.Equal((HttpStatusCode)422, status);
        Assert.Contains("metadata.resourceVersion: Invalid value: 0x0: must be specified for an update", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Finalizers_HoldDeletion_UntilTheLastIsRemoved()
    {
        var mesh = Mesh("fin");
        mesh["metadata"]!["finalizers"] = new JsonArray("k8srepl.dev/cleanup");
        await _http.CreateAsync(Meshes, mesh);

        var (deleteStatus, deleting) = await _http.DeleteAsync($"{Meshes}/fin");
        Assert.Equal(HttpStatusCode.OK, deleteStatus);
        Assert.NotNull(deleting["metadata"]!["deletionTimestamp"]);
        Assert.Equal(2, Generation(deleting));
        var (stillThere, current) = await _http.GetAsync($"{Meshes}/fin");
        Assert.Equal(HttpStatusCode.OK, stillThere);

        var (addStatus, addError) = await _http.PatchAsync($"{Meshes}/fin", """{"metadata":{"finalizers":["k8srepl.dev/cleanup","other"]}}""");
        Assert.Equal((HttpStatusCode)422, addStatus);
        Assert.Contains("no new finalizers can be added if the object is being deleted", addError["message"]!.GetValue<string>());

        var (removeStatus, _) = await _http.PatchAsync($"{Meshes}/fin", """{"metadata":{"finalizers":null}}""");
        Assert.Equal(HttpStatusCode.OK, removeStatus);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"{Meshes}/fin")).Status);
        Assert.NotNull(current);
    }

    [Fact]
    public async Task DeletingTheCrd_RemovesItsResourcesAndObjects()
    {
        await _http.CreateAsync(Meshes, Mesh("doomed"));
        var (status, _) = await _http.DeleteAsync($"{Crds}/replicationmeshes.replication.k8srepl.dev");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync(Meshes)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync("/apis/replication.k8srepl.dev/v1alpha1")).Status);
    }

    [Fact]
    public async Task Table_ShowsPrinterColumnsFromJsonPaths()
    {
        await _http.CreateAsync(Meshes, Mesh("t"));
        await _http.PatchAsync($"{Meshes}/t/status", """{"status":{"members":3,"readyMembers":2,"maxLag":"1s","conditions":[{"type":"Converged","status":"True"}]}}""");
        var (status, table) = await _http.GetAsync(Meshes, "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Table", table["kind"]!.GetValue<string>());
        Assert.Equal(["Name", "Members", "Ready", "Converged", "Max-Lag", "Age"], table["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        var cells = table["rows"]![0]!["cells"]!.AsArray();
        Assert.Equal("t", cells[0]!.GetValue<string>());
        Assert.Equal(3, cells[1]!.GetValue<int>());
        Assert.Equal("True", cells[3]!.GetValue<string>());
        Assert.EndsWith("s", cells[5]!.GetValue<string>());
    }
}
