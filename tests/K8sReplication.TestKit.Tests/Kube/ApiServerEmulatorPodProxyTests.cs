using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using K8sReplication.TestKit.Kube;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using static K8sReplication.TestKit.Tests.Kube.Objects;

namespace K8sReplication.TestKit.Tests.Kube;

/// <summary>
/// <c>pods/NAME[:PORT]/proxy/PATH</c> forwarded to a real HTTP server on the pod's IP (127.0.0.1 here), through the
/// official client, raw HTTP and the real kubectl.
/// </summary>
public sealed class ApiServerEmulatorPodProxyTests : IAsyncLifetime
{
    private ApiServerEmulator _emulator = null!;
    private KubeHttp _http = null!;
    private WebApplication _backend = null!;
    private int _port;
    private string _kubeconfig = null!;

    public async Task InitializeAsync()
    {
        _emulator = await ApiServerEmulator.StartAsync();
        _http = new KubeHttp(_emulator.Url);
        (_backend, _port) = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/v1/status", (HttpContext c) => Results.Json(new { ok = true, query = c.Request.QueryString.Value }));
            app.MapMethods("/echo", ["PUT", "POST"], async (HttpContext c) =>
            {
                using var reader = new StreamReader(c.Request.Body);
                var body = await reader.ReadToEndAsync();
                c.Response.StatusCode = 202;
                c.Response.Headers["X-Backend"] = "echo";
                await c.Response.WriteAsJsonAsync(new
                {
                    method = c.Request.Method,
                    body,
                    contentType = c.Request.ContentType,
                    custom = c.Request.Headers["X-Custom"].ToString(),
                    authorization = c.Request.Headers.Authorization.ToString(),
                });
            });
            app.MapGet("/stream", async (HttpContext c) =>
            {
                for (var i = 0; i < 3; i++)
                {
                    await c.Response.WriteAsync($"line {i}\n");
                    await c.Response.Body.FlushAsync();
                }
            });
        });
        _kubeconfig = _emulator.WriteKubeconfig(Path.Combine(Directory.CreateTempSubdirectory("k8srepl-proxy-").FullName, "config"));
        await CreatePodAsync("p", "127.0.0.1", _port);
    }

    public async Task DisposeAsync()
    {
        await _backend.DisposeAsync();
        _http.Dispose();
        await _emulator.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_kubeconfig)!, recursive: true);
    }

    [Fact]
    public async Task Get_ThroughTheOfficialClient_ReachesThePodPortWithItsQuery()
    {
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_kubeconfig));
        var text = await client.CoreV1.ConnectGetNamespacedPodProxyWithPathAsync($"p:{_port}", "default", "v1/status");
        Assert.True(JsonNode.Parse(text)!["ok"]!.GetValue<bool>());

        // Without a port, the first declared container port.
        var (status, body) = await _http.GetAsync("/api/v1/namespaces/default/pods/p/proxy/v1/status?verbose=1&x=a%20b");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("?verbose=1&x=a%20b", body["query"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync($"/api/v1/namespaces/default/pods/http:p:{_port}/proxy/v1/status")).Status);
    }

    [Fact]
    public async Task PutAndPost_ForwardMethodBodyAndHeaders_ButNotTheCallersCredentials()
    {
        using var http = new KubeHttp(_emulator.Url, "caller-token");
        foreach (var method in new[] { HttpMethod.Put, HttpMethod.Post })
        {
            using var request = new HttpRequestMessage(method, $"/api/v1/namespaces/default/pods/p:{_port}/proxy/echo")
            {
                Content = new StringContent("""{"x":1}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Custom", "kept");
            using var response = await http.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal("echo", response.Headers.GetValues("X-Backend").Single());
            var echo = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal(method.Method, echo["method"]!.GetValue<string>());
            Assert.Equal("""{"x":1}""", echo["body"]!.GetValue<string>());
            Assert.StartsWith("application/json", echo["contentType"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal("kept", echo["custom"]!.GetValue<string>());
            Assert.Equal("", echo["authorization"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task StreamedAnswer_ArrivesWhole()
    {
        var text = await _http.Client.GetStringAsync($"/api/v1/namespaces/default/pods/p:{_port}/proxy/stream");
        Assert.Equal("line 0\nline 1\nline 2\n", text);
    }

    [Fact]
    public async Task Failures_AnswerAsTheRealServerDoes()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await _http.GetAsync($"/api/v1/namespaces/default/pods/missing:{_port}/proxy/v1/status")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync($"/api/v1/namespaces/default/pods/ftp:p:{_port}/proxy/")).Status);

        // Named ports are not resolved for pods (only for services): the name is dialled as is and fails.
        var (named, body) = await _http.GetAsync("/api/v1/namespaces/default/pods/p:admin/proxy/v1/status");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, named);
        Assert.StartsWith("error trying to reach service", body["message"]!.GetValue<string>(), StringComparison.Ordinal);

        await CreatePodAsync("no-ip", null, _port);
        Assert.Equal(HttpStatusCode.BadRequest, (await _http.GetAsync($"/api/v1/namespaces/default/pods/no-ip:{_port}/proxy/")).Status);
    }

    [Fact]
    public async Task KubectlGetRaw_ReachesThePod()
    {
        using var kubectl = new Kubectl(_kubeconfig);
        var result = await kubectl.RunAsync("get", "--raw", $"/api/v1/namespaces/default/pods/p:{_port}/proxy/v1/status");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(JsonNode.Parse(result.Stdout)!["ok"]!.GetValue<bool>());
    }

    private async Task CreatePodAsync(string name, string? ip, int port)
    {
        await _http.CreateAsync(Pods, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject
            {
                ["containers"] = new JsonArray(new JsonObject
                {
                    ["name"] = "sidecar",
                    ["image"] = "sidecar:1",
                    ["ports"] = new JsonArray(new JsonObject { ["name"] = "admin", ["containerPort"] = port }),
                }),
            },
        });
        if (ip is not null)
        {
            var (status, _) = await _http.PatchAsync($"{Pods}/{name}/status", new JsonObject { ["status"] = new JsonObject { ["phase"] = "Running", ["podIP"] = ip, ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = ip }) } }.ToJsonString());
            Assert.Equal(HttpStatusCode.OK, status);
        }
    }
}
