using System.Text.Json.Serialization.Metadata;
using K8sReplication.KubectlPlugin.Cli;
using K8sReplication.KubectlPlugin.Cluster;
using K8sReplication.KubectlPlugin.Conflicts;
using K8sReplication.KubectlPlugin.Diff;
using K8sReplication.KubectlPlugin.Output;
using K8sReplication.KubectlPlugin.Resync;
using K8sReplication.KubectlPlugin.Status;

namespace K8sReplication.KubectlPlugin;

/// <summary>
/// Dispatches a command line to its command. Exit codes: 0 done, 1 failed (the message names what and where),
/// 2 usage error.
/// </summary>
internal static class PluginCommands
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    public const string UsageText = """
        kubectl k8srepl: inspect and steer K8sReplication meshes

        Usage:
          kubectl k8srepl status MESH [-o json|yaml] [--no-color]
          kubectl k8srepl pause MESH
          kubectl k8srepl resume MESH
          kubectl k8srepl conflicts MESH [--table T] [--limit N] [-o json|yaml]
          kubectl k8srepl diff MESH [-o json|yaml]
          kubectl k8srepl resync MESH MEMBER [-o json|yaml]

        Connection flags (as kubectl): --kubeconfig PATH, --context NAME, -n/--namespace NS.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        PluginArguments parsed;
        try
        {
            parsed = PluginArguments.Parse(args);
            if (parsed.Help || parsed.Command.Length == 0)
            {
                await (parsed.Help ? stdout : stderr).WriteLineAsync(UsageText);
                return parsed.Help ? Ok : Usage;
            }

            _ = parsed.Command switch
            {
                "status" or "pause" or "resume" or "conflicts" or "diff" => parsed.Expect("mesh"),
                "resync" => parsed.Expect("mesh", "member"),
                _ => throw new UsageException($"unknown command \"{parsed.Command}\""),
            };
        }
        catch (UsageException e)
        {
            await stderr.WriteLineAsync("error: " + e.Message + "\n\n" + UsageText);
            return Usage;
        }

        try
        {
            using var connection = MeshConnection.Open(parsed);
            await stdout.WriteAsync(await RunAsync(parsed, connection, cancellationToken));
            return Ok;
        }
        catch (PluginException e)
        {
            await stderr.WriteLineAsync("error: " + e.Message);
            return Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("interrupted");
            return Failed;
        }
    }

    private static async Task<string> RunAsync(PluginArguments args, MeshConnection connection, CancellationToken cancellationToken)
    {
        var mesh = args.Positional[0];
        var palette = Palette.For(args.NoColor);
        switch (args.Command)
        {
            case "status":
                var status = await StatusCommand.ReadAsync(connection, mesh, cancellationToken);
                return Format(args, status, PluginJsonContext.Default.StatusReport, () => StatusSummary.Table(status, palette, DateTimeOffset.UtcNow));
            case "pause":
            case "resume":
                var paused = args.Command == "pause";
                await connection.SetPausedAsync(mesh, paused, cancellationToken);
                return $"replicationmesh/{mesh} {(paused ? "paused" : "resumed")}\n";
            case "conflicts":
                var conflicts = await ConflictsCommand.ReadAsync(connection, mesh, args.Table, args.Limit, cancellationToken);
                return Format(args, conflicts, PluginJsonContext.Default.IReadOnlyListMemberConflict, () => ConflictsCommand.Table(conflicts, palette));
            case "resync":
                var member = args.Positional[1];
                var rounds = await ResyncCommand.RunAsync(connection, mesh, member, TimeProvider.System, cancellationToken);
                return Format(args, rounds, PluginJsonContext.Default.IReadOnlyListPeerRound, () => ResyncCommand.Table(member, rounds, palette));
            default:
                var diff = await DiffCommand.ReadAsync(connection, mesh, cancellationToken);
                return Format(args, diff, PluginJsonContext.Default.DiffReport, () => DiffCommand.Text(diff, palette));
        }
    }

    private static string Format<T>(PluginArguments args, T value, JsonTypeInfo<T> type, Func<string> table) => args.Output switch
    {
        OutputFormat.Json => StructuredOutput.Json(value, type),
        OutputFormat.Yaml => StructuredOutput.Yaml(value, type),
        _ => table(),
    };
}
