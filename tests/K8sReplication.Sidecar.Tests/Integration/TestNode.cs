using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Config;
using K8sReplication.Contracts.Health;
using K8sReplication.Contracts.Json;
using K8sReplication.TestKit.Processes;
using K8sReplication.TestKit.Sqlite;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>One member under test: its app database and its real sidecar process.</summary>
public sealed class TestNode(string name, TempDatabase database, SidecarProcess process, HttpClient http, string? token) : IAsyncDisposable
{
    public string Name { get; } = name;

    public TempDatabase Database { get; } = database;

    public SidecarProcess Process { get; } = process;

    public Uri ReplicationUrl => Process.ReplicationUrl;

    public string? Token => token;

    public SqliteConnection Open() => Database.OpenConnection();

    public void Exec(string sql)
    {
        using var c = Open();
        c.Execute(sql);
    }

    /// <summary>Every row of the items table, ordered, as text (exact values incl. type names).</summary>
    public string Dump(string table = "items")
    {
        using var c = Open();
        var rows = c.Rows($"SELECT * FROM {table} ORDER BY 1");
        return string.Join("\n", rows.Select(r => string.Join("|", r.Select(v => v is null ? "null" : v.GetType().Name + ":" + (v is byte[] b ? Convert.ToHexString(b) : v.ToString())))));
    }

    public long Count(string table = "items")
    {
        using var c = Open();
        return (long)c.Scalar($"SELECT count(*) FROM {table}")!;
    }

    public async Task<SidecarHealth> StatusAsync()
    {
        var json = await http.GetStringAsync(new Uri(Process.AdminUrl, Paths.Status));
        return JsonSerializer.Deserialize(json, ContractsJsonContext.Default.SidecarHealth)!;
    }

    public Task<HttpResponseMessage> GetAdminAsync(string path) => http.GetAsync(new Uri(Process.AdminUrl, path));

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri baseUrl, string path, string? body = null, string? bearer = null)
    {
        var request = new HttpRequestMessage(method, new Uri(baseUrl, path));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");

            // A large body may be refused from its Content-Length (413) before it is read. Without Expect:
            // 100-continue the client is still uploading when the server closes the connection, and sees a broken
            // pipe instead of the 413 (a race); with it, the client waits for the server's answer first.
            request.Headers.ExpectContinue = body.Length > 64 * 1024;
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return http.SendAsync(request);
    }

    public Task<HttpResponseMessage> ReplicationAsync(HttpMethod method, string path, string? body = null) =>
        SendAsync(method, ReplicationUrl, path, body, token);

    public async Task<HttpResponseMessage> PushConfigAsync(SidecarConfig config, string? bearer = null)
    {
        var body = JsonSerializer.Serialize(config, ContractsJsonContext.Default.SidecarConfig);
        return await SendAsync(HttpMethod.Put, Process.AdminUrl, Paths.Config, body, bearer ?? token);
    }

    public async Task SetPeersAsync(long generation, params (string Name, Uri Url)[] peers)
    {
        using var response = await PushConfigAsync(new SidecarConfig
        {
            Generation = generation,
            Peers = [.. peers.Select(p => new PeerConfig { Name = p.Name, Url = p.Url.ToString() })],
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"config push to {Name} failed: {(int)response.StatusCode} {text}");
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        Database.Dispose();
    }
}
