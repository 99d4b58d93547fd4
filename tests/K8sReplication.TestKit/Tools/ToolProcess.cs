using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace K8sReplication.TestKit.Tools;

/// <summary>
/// One run at a time of a server tool the tests start themselves (redis-server, s3rver): its process, everything it
/// printed on either stream, and a kill that waits for the exit. It can be started again after a kill, as a server
/// that is down for a while; what it printed before stays in <see cref="Output"/>.
/// </summary>
internal sealed class ToolProcess
{
    private readonly StringBuilder _output = new();
    private readonly Lock _gate = new();
    private Process? _process;

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

    public bool Running => _process is { HasExited: false };

    /// <summary>Starts <paramref name="start"/>; <paramref name="onLine"/> sees every line of standard output (null at its end).</summary>
    public Process Start(ProcessStartInfo start, string name, Action<string?>? onLine = null)
    {
        if (Running)
        {
            throw new InvalidOperationException($"{name} is already running");
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        _process = process;
        process.OutputDataReceived += (_, e) =>
        {
            Append(e.Data);
            onLine?.Invoke(e.Data);
        };
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Kills the process tree (SIGKILL: no clean shutdown) and waits for it to exit.</summary>
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

    /// <summary>True when something accepts a TCP connection on 127.0.0.1:<paramref name="port"/> (throws otherwise).</summary>
    public static bool Answers(int port)
    {
        using var client = new TcpClient();
        client.Connect(IPAddress.Loopback, port);
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
