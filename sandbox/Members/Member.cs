using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Conflicts;
using K8sReplication.Contracts.Json;
using K8sReplication.Sandbox.Processes;

namespace K8sReplication.Sandbox.Members;

/// <summary>
/// One member "pod": its folder under the sandbox dir (app.db, token, state/, sidecar.log) and its sidecar process.
/// A restart keeps the ports, as a restarted container keeps its pod's ports.
/// </summary>
internal sealed class Member : IDisposable
{
    private ChildProcess? _sidecar;

    public Member(string name, string root, string tokenFile)
    {
        Name = name;
        Folder = Path.Combine(root, name);
        DatabasePath = Path.Combine(Folder, "app.db");
        TokenFile = tokenFile;
    }

    public string Name { get; }

    /// <summary>The pod's ordinal, as a StatefulSet numbers its pods (notes-2: 2): the member's range of event ids.</summary>
    public int Ordinal => OrdinalOf(Name) ?? throw new InvalidOperationException($"{Name} does not end with an ordinal");

    public string Folder { get; }

    public string DatabasePath { get; }

    public string TokenFile { get; }

    public int ReplicationPort { get; private set; }

    public int AdminPort { get; private set; }

    public string? Site { get; private set; }

    public Uri AdminUrl => new($"http://127.0.0.1:{AdminPort}");

    public Uri ReplicationUrl => new($"http://127.0.0.1:{ReplicationPort}");

    public bool Running => _sidecar is { HasExited: false };

    /// <summary>True once the sidecar has started at least once (its capture triggers are installed).</summary>
    public bool Installed => Site is not null;

    public int? Pid => _sidecar?.Pid;

    /// <summary>The number after the last '-' of a StatefulSet pod name, or null.</summary>
    public static int? OrdinalOf(string name) =>
        int.TryParse(name.AsSpan(name.LastIndexOf('-') + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal) ? ordinal : null;

    /// <summary>Creates the app's database (the app exists before its sidecar) and starts the sidecar on free ports.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Folder);
        AppSchema.Create(DatabasePath);
        await LaunchAsync("127.0.0.1:0", "127.0.0.1:0", cancellationToken);
    }

    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        // Readers (the live view) must see "down", never a disposed process, until the new one is up.
        var old = _sidecar;
        _sidecar = null;
        old?.Dispose();
        await LaunchAsync(
            "127.0.0.1:" + ReplicationPort.ToString(CultureInfo.InvariantCulture),
            "127.0.0.1:" + AdminPort.ToString(CultureInfo.InvariantCulture),
            cancellationToken);
    }

    /// <summary>
    /// The sidecar's conflict log for <paramref name="table"/> (<c>GET /v1/conflicts</c> on the admin port, with the
    /// mesh token as an operator would send it), oldest first.
    /// </summary>
    public async Task<IReadOnlyList<ConflictRecord>> ReadConflictsAsync(HttpClient http, string table, CancellationToken cancellationToken)
    {
        var token = (await File.ReadAllTextAsync(TokenFile, cancellationToken)).Trim();
        using var request = new HttpRequestMessage(HttpMethod.Get,
            new Uri(AdminUrl, $"{Paths.Conflicts}?table={Uri.EscapeDataString(table)}&limit=10000"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ConflictsResponse, cancellationToken);
        return answer?.Conflicts ?? [];
    }

    /// <summary>kill -9 of the sidecar; the app (and its database) stays.</summary>
    public void KillSidecar() => _sidecar?.Kill();

    public Task StopAsync() => _sidecar?.StopAsync(TimeSpan.FromSeconds(15)) ?? Task.CompletedTask;

    public void Dispose()
    {
        _sidecar?.Kill();
        _sidecar?.Dispose();
    }

    private async Task LaunchAsync(string listen, string adminListen, CancellationToken cancellationToken)
    {
        string[] args =
        [
            "--database", DatabasePath,
            "--node-name", Name,
            "--listen", listen,
            "--admin-listen", adminListen,
            "--token-file", TokenFile,
            "--state-dir", Path.Combine(Folder, "state"),
            "--anti-entropy-interval", "2s",
        ];
        var (child, evt) = await ChildProcess.StartAsync(Name + " sidecar", BuiltOutputs.SidecarDll, args, Path.Combine(Folder, "sidecar.log"), "listening",
            cancellationToken);
        _sidecar = child;
        ReplicationPort = new Uri(evt.GetProperty("replication").GetString()!).Port;
        AdminPort = new Uri(evt.GetProperty("admin").GetString()!).Port;
        Site = evt.GetProperty("site").GetString();
    }
}
