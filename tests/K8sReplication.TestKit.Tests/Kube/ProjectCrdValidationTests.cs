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

    [Theory]
    [InlineData("""{"url":"http://bucket/x"}""", "spec.backup.url")]
    [InlineData("""{"url":"file://relative/path"}""", "spec.backup.url")]
    [InlineData("""{"url":"file:data"}""", "spec.backup.url")]
    [InlineData("""{"url":"s3://"}""", "spec.backup.url")]
    [InlineData("""{}""", "spec.backup.url")]
    [InlineData("""{"url":"s3://bucket","endpoint":"minio:9000"}""", "spec.backup.endpoint")]
    [InlineData("""{"url":"s3://bucket","interval":"10"}""", "spec.backup.interval")]
    [InlineData("""{"url":"s3://bucket","interval":"500ms"}""", "spec.backup.interval: Invalid value: \"string\": backup.interval must be at least 1s")]
    [InlineData("""{"url":"s3://bucket","snapshotInterval":"30s","retention":"1h"}""", "backup.snapshotInterval must be at least 1m")]
    [InlineData("""{"url":"s3://bucket","snapshotInterval":"24h","retention":"12h"}""", "spec.backup: Invalid value: \"object\": backup.retention must be at least backup.snapshotInterval")]
    [InlineData("""{"url":"s3://bucket","credentialsSecretRef":{}}""", "spec.backup.credentialsSecretRef.name")]
    public async Task Backup_RejectsABadField_NamingIt(string backup, string expected)
    {
        var spec = JsonNode.Parse("""{"selector":{"matchLabels":{"app":"a"}},"backup":""" + backup + "}")!.AsObject();

        var (status, body) = await _http.PostAsync(Meshes, Mesh("bad-backup", spec));

        Assert.Equal((HttpStatusCode)422, status);
        Assert.Contains(expected, body["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("file:///data/backups")]
    [InlineData("s3://bucket")]
    [InlineData("s3://my.bucket-1/some/prefix/")]
    public async Task Backup_AcceptsFileAndS3Urls_AndDefaultsTheDurations(string url)
    {
        var spec = JsonNode.Parse("""{"selector":{"matchLabels":{"app":"a"}},"backup":{"url":""" + JsonValue.Create(url).ToJsonString() + "}}")!.AsObject();

        var created = await _http.CreateAsync(Meshes, Mesh("backup", spec));

        var backup = created["spec"]!["backup"]!;
        Assert.Equal((url, "10s", "24h", "168h"), (backup["url"]!.GetValue<string>(), backup["interval"]!.GetValue<string>(),
            backup["snapshotInterval"]!.GetValue<string>(), backup["retention"]!.GetValue<string>()));
    }
}
