using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace K8sReplication.TestKit.Tests.Kube;

/// <summary>Raw HTTP against the emulator: every call returns the status code and the parsed JSON body.</summary>
internal sealed class KubeHttp : IDisposable
{
    private readonly HttpClient _client;

    public KubeHttp(Uri baseAddress, string? token = null)
    {
        _client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            _client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
    }

    public HttpClient Client => _client;

    public Task<(HttpStatusCode Status, JsonObject Body)> GetAsync(string path, string? accept = null) => SendAsync(HttpMethod.Get, path, null, null, accept);

    public Task<(HttpStatusCode Status, JsonObject Body)> PostAsync(string path, JsonNode body) => SendAsync(HttpMethod.Post, path, body.ToJsonString(), "application/json");

    public Task<(HttpStatusCode Status, JsonObject Body)> PutAsync(string path, JsonNode body) => SendAsync(HttpMethod.Put, path, body.ToJsonString(), "application/json");

    public Task<(HttpStatusCode Status, JsonObject Body)> PatchAsync(string path, string body, string contentType = "application/merge-patch+json") =>
        SendAsync(HttpMethod.Patch, path, body, contentType);

    public Task<(HttpStatusCode Status, JsonObject Body)> DeleteAsync(string path, JsonNode? options = null) =>
        SendAsync(HttpMethod.Delete, path, options?.ToJsonString(), options is null ? null : "application/json");

    public async Task<(HttpStatusCode Status, JsonObject Body)> SendAsync(HttpMethod method, string path, string? body, string? contentType, string? accept = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType ?? "application/json");
        }

        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await _client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? new JsonObject() : JsonNode.Parse(text) as JsonObject ?? new JsonObject { ["raw"] = text };
        return (response.StatusCode, json);
    }

    /// <summary>Creates and asserts 201; returns the stored object.</summary>
    public async Task<JsonObject> CreateAsync(string collectionPath, JsonObject body)
    {
        var (status, created) = await PostAsync(collectionPath, body);
        Assert.True(status == HttpStatusCode.Created, $"create at {collectionPath} returned {(int)status}: {created.ToJsonString()}");
        return created;
    }

    public void Dispose() => _client.Dispose();
}
