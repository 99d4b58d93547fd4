using System.Net;
using K8sReplication.TestKit.Kube;
using static K8sReplication.TestKit.Tests.Kube.Objects;

namespace K8sReplication.TestKit.Tests.Kube;

public sealed class ApiServerEmulatorFaultTests : IAsyncLifetime
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
    public async Task FailNext_FailsOnlyMatchingRequests_ThenRecovers()
    {
        _emulator.Faults.FailNext(2, 503, r => r.Verb == "list" && r.Resource == "configmaps");
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/api/v1/namespaces/default/pods")).Status);
        var (first, body) = await _http.GetAsync(ConfigMaps);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, first);
        Assert.Equal("ServiceUnavailable", body["reason"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _http.GetAsync(ConfigMaps)).Status);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(ConfigMaps)).Status);
    }

    [Fact]
    public async Task Requests_AreRecordedWithVerbResourceAndStatus()
    {
        _emulator.ClearRequests();
        await _http.CreateAsync(ConfigMaps, ConfigMap("rec"));
        await _http.GetAsync($"{ConfigMaps}/missing");
        await _http.PatchAsync($"{ConfigMaps}/rec", """{"data":{"k":"v"}}""");
        await _http.GetAsync("/apis");
        await Eventually.TrueAsync(() => _emulator.Requests.Count == 4, TimeSpan.FromSeconds(5), "four recorded requests");
        var requests = _emulator.Requests;
        Assert.Equal(new RecordedRequest("create", "", "v1", "configmaps", null, "default", null, "", 201), requests[0] with { UserAgent = "" });
        Assert.Equal(("get", "missing", 404), (requests[1].Verb, requests[1].Name, requests[1].StatusCode));
        Assert.Equal(("patch", 200), (requests[2].Verb, requests[2].StatusCode));
        Assert.Null(requests[3].Group);
        Assert.Equal("/apis", requests[3].Resource);
    }

    [Fact]
    public async Task AcceptedTokens_RejectOtherBearerTokensWith401()
    {
        _emulator.AcceptedTokens = new HashSet<string> { "good" };
        using var good = new KubeHttp(_emulator.Url, "good");
        using var bad = new KubeHttp(_emulator.Url, "rotated-away");
        Assert.Equal(HttpStatusCode.OK, (await good.GetAsync(ConfigMaps)).Status);
        var (status, body) = await bad.GetAsync(ConfigMaps);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("Unauthorized", body["reason"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.GetAsync(ConfigMaps)).Status);
        _emulator.AcceptedTokens = null;
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(ConfigMaps)).Status);
    }

    [Fact]
    public async Task Delay_SlowsRequestsUntilSwitchedOff()
    {
        _emulator.Faults.Delay(TimeSpan.FromMilliseconds(300));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await _http.GetAsync(ConfigMaps);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(250), $"request took {watch.Elapsed}");
        _emulator.Faults.Delay(null);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(ConfigMaps)).Status);
    }
}
