using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Health;
using K8sReplication.Contracts.Json;
using K8sReplication.TestKit.Processes;
using K8sReplication.TestKit.Sqlite;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Packaging.Tests.NativeAot;

/// <summary>One member run from a given sidecar build: its SQLite file (table <c>items</c>) and its sidecar process.</summary>
public sealed class NativeMember : IAsyncDisposable
{
    public const string Token = "native-aot-token";

    private readonly HttpClient _http;

    private NativeMember(string name, TempDatabase database, SidecarProcess process, HttpClient http)
    {
        Name = name;
        Database = database;
        Process = process;
        _http = http;
    }

    public string Name { get; }

    public TempDatabase Database { get; }

    public SidecarProcess Process { get; }

    public static async Task<NativeMember> StartAsync(string name, SidecarBinary binary, HttpClient http)
    {
        var db = new TempDatabase();
        try
        {
            db.Execute("CREATE TABLE items(id TEXT PRIMARY KEY, v ANY, n INTEGER)");
            var tokenFile = Path.Combine(db.Folder, "token");
            await File.WriteAllTextAsync(tokenFile, Token);
            var process = await SidecarProcess.StartAsync(
            [
                "--database", db.FilePath, "--node-name", name,
                "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                "--anti-entropy-interval", "2s", "--state-dir", Path.Combine(db.Folder, "state"),
                "--token-file", tokenFile,
            ], binary: binary);
            return new NativeMember(name, db, process, http);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>Every row of <c>items</c>, ordered, with the type of each value.</summary>
    public string Dump()
    {
        using var c = Database.OpenConnection();
        return string.Join("\n", c.Rows("SELECT * FROM items ORDER BY 1")
            .Select(r => string.Join("|", r.Select(v => v is null ? "null" : v.GetType().Name + ":" + (v is byte[] b ? Convert.ToHexString(b) : v.ToString())))));
    }

    public void Exec(string sql) => Database.Execute(sql);

    public async Task<SidecarHealth> StatusAsync()
    {
        var json = await _http.GetStringAsync(new Uri(Process.AdminUrl, Paths.Status));
        return JsonSerializer.Deserialize(json, ContractsJsonContext.Default.SidecarHealth)!;
    }

    public Task<HttpResponseMessage> GetAdminAsync(string path) => _http.GetAsync(new Uri(Process.AdminUrl, path));

    /// <summary><c>PUT /v1/config</c> with a JSON or YAML body (the sidecar tells them apart by the first character).</summary>
    public async Task PushConfigAsync(string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(Process.AdminUrl, Paths.Config))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"config push to {Name} failed: {(int)response.StatusCode} {text}");
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Database.Dispose();
    }
}
