using System.Globalization;
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
