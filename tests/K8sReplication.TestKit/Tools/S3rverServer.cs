using System.Diagnostics;
using System.Text.RegularExpressions;
using K8sReplication.Contracts.Config;

namespace K8sReplication.TestKit.Tools;

/// <summary>
/// The real S3-compatible server s3rver (npm) on 127.0.0.1, on a port the system picks and a temporary directory,
/// with one bucket. It can be stopped and started again on the same port and directory, as a store that is down for a
/// while. Found through K8SREPL_S3RVER, then .tools/s3rver (where ./test.sh installs it), then PATH; a missing s3rver
/// fails the test.
/// </summary>
public sealed partial class S3rverServer : IAsyncDisposable
{
    /// <summary>s3rver's built-in credentials (any other key id is refused).</summary>
    public const string AccessKeyId = "S3RVER";

    public const string SecretAccessKey = "S3RVER";

    public const string Bucket = "backup";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly ToolProcess _process = new();

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("s3rver-").FullName;

    /// <summary>Port of the first start, kept for restarts (0 until started).</summary>
    public int Port { get; private set; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public static BackupCredentials Credentials => new() { AccessKeyId = AccessKeyId, SecretAccessKey = SecretAccessKey, Region = "us-east-1" };

    public static string Executable
    {
        get
        {
            var installed = Path.Combine(RepoPaths.Root, ".tools", "s3rver", "node_modules", ".bin", "s3rver");
            return string.IsNullOrEmpty(Environment.GetEnvironmentVariable("K8SREPL_S3RVER")) && File.Exists(installed)
                ? installed
                : ExternalTool.Find("s3rver", "K8SREPL_S3RVER").Path;
        }
    }

    /// <summary>Whether an s3rver can be found (the places <see cref="Executable"/> looks).</summary>
    public static bool IsInstalled
    {
        get
        {
            try
            {
                return File.Exists(Executable);
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }
    }

    public string Output => _process.Output;

    /// <summary>Starts s3rver (again) and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(Executable);
        // s3rver's listing continuation tokens are DES-encrypted, which OpenSSL 3 offers only in its legacy provider.
        start.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        foreach (var arg in new[] { "--address", "127.0.0.1", "--port", Port.ToString(), "--directory", Directory, "--silent", "--configure-bucket", Bucket })
        {
            start.ArgumentList.Add(arg);
        }

        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process.Start(start, "s3rver", line =>
        {
            if (line is null)
            {
                listening.TrySetException(new InvalidOperationException("s3rver exited before listening:\n" + Output));
            }
            else if (ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value));
            }
        });

        using var deadline = new CancellationTokenSource(StartTimeout);
        try
        {
            Port = await listening.Task.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            await StopAsync();
            throw new TimeoutException("s3rver did not print its listening line:\n" + Output);
        }

        await Eventually.TrueAsync(Answers, StartTimeout, $"s3rver to accept connections on {Endpoint}");
    }

    /// <summary>Kills s3rver (and its process tree) and waits for it to exit; its directory is kept.</summary>
    public Task StopAsync() => _process.KillAsync();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private bool Answers() => ToolProcess.Answers(Port);

    [GeneratedRegex(@"S3rver listening on [^\s]+:(\d+)")]
    private static partial Regex ListeningLine();
}
