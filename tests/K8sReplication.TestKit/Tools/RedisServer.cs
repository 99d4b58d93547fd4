using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace K8sReplication.TestKit.Tools;

/// <summary>
/// A real <c>redis-server</c> (Debian's package; ./test.sh installs it) on 127.0.0.1, on a free port picked at the
/// first start and kept for restarts, with a temporary directory (its AOF lives there when <see cref="AppendOnly"/>).
/// With <see cref="Tls"/> it serves TLS only, with the given certificate. Found through K8SREPL_REDIS_SERVER, then
/// PATH; a missing server fails the test. Killed on dispose.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly ToolProcess _process = new();

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("redis-").FullName;

    public int Port { get; private set; }

    /// <summary>AOF on with <c>appendfsync always</c>: an acknowledged write survives a kill.</summary>
    public bool AppendOnly { get; init; }

    /// <summary><c>requirepass</c>, or null for none.</summary>
    public string? Password { get; init; }

    /// <summary>Certificate and key (PEM files) to serve TLS with, and the CA file clients verify it by; null for plain TCP.</summary>
    public (string CertFile, string KeyFile, string CaFile)? Tls { get; init; }

    public static string Executable => ExternalTool.Find("redis-server", "K8SREPL_REDIS_SERVER").Path;

    public string Output => _process.Output;

    /// <summary>redis://127.0.0.1:port (rediss:// with TLS), with the password when there is one.</summary>
    public string Url => $"{(Tls is null ? "redis" : "rediss")}://{(Password is null ? "" : ":" + Uri.EscapeDataString(Password) + "@")}127.0.0.1:{Port}";

    /// <summary>Starts the server (again, on the same port and directory) and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        if (_process.Running)
        {
            throw new InvalidOperationException("redis-server is already running");
        }

        if (Port == 0)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo(Executable);
        var args = new List<string>
        {
            "--bind", "127.0.0.1", "--dir", Directory, "--save", "", "--daemonize", "no", "--protected-mode", "no",
            "--appendonly", AppendOnly ? "yes" : "no", "--appendfsync", "always", "--loglevel", "warning",
        };
        if (Tls is { } tls)
        {
            args.AddRange(["--port", "0", "--tls-port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--tls-cert-file", tls.CertFile, "--tls-key-file", tls.KeyFile, "--tls-ca-cert-file", tls.CaFile, "--tls-auth-clients", "no"]);
        }
        else
        {
            args.AddRange(["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        if (Password is not null)
        {
            args.AddRange(["--requirepass", Password]);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = _process.Start(start, "redis-server");
        await Eventually.TrueAsync(() => process.HasExited ? throw new InvalidOperationException("redis-server exited:\n" + Output) : Answers(),
            StartTimeout, $"redis-server to accept connections on port {Port}");
    }

    /// <summary>Kills the server (SIGKILL: no shutdown save) and waits for it to exit; its directory is kept.</summary>
    public Task KillAsync() => _process.KillAsync();

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private bool Answers() => ToolProcess.Answers(Port);
}
