using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

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

    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();
    private Process? _process;

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("redis-").FullName;

    public int Port { get; private set; }

    /// <summary>AOF on with <c>appendfsync always</c>: an acknowledged write survives a kill.</summary>
    public bool AppendOnly { get; init; }

    /// <summary><c>requirepass</c>, or null for none.</summary>
    public string? Password { get; init; }

    /// <summary>Certificate and key (PEM files) to serve TLS with, and the CA file clients verify it by; null for plain TCP.</summary>
    public (string CertFile, string KeyFile, string CaFile)? Tls { get; init; }

    public static string Executable => ExternalTool.Find("redis-server", "K8SREPL_REDIS_SERVER").Path;

    public string Output
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>redis://127.0.0.1:port (rediss:// with TLS), with the password when there is one.</summary>
    public string Url => $"{(Tls is null ? "redis" : "rediss")}://{(Password is null ? "" : ":" + Uri.EscapeDataString(Password) + "@")}127.0.0.1:{Port}";

    /// <summary>Starts the server (again, on the same port and directory) and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        if (_process is { HasExited: false })
        {
            throw new InvalidOperationException("redis-server is already running");
        }

        if (Port == 0)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
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

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Eventually.TrueAsync(() => process.HasExited ? throw new InvalidOperationException("redis-server exited:\n" + Output) : Answers(),
            StartTimeout, $"redis-server to accept connections on port {Port}");
    }

    /// <summary>Kills the server (SIGKILL: no shutdown save) and waits for it to exit; its directory is kept.</summary>
    public async Task KillAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(deadline.Token);
        process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private bool Answers()
    {
        using var client = new TcpClient();
        client.Connect(IPAddress.Loopback, Port);
        return true;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_gate)
            {
                _output.AppendLine(line);
            }
        }
    }
}
