using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace K8sReplication.Sidecar.Backup;

/// <summary>
/// <c>k8srepl-sidecar restore --from URL [--endpoint URL] --to PATH [--at RFC3339] [--if-missing] [--if-backup-exists]</c>:
/// a point-in-time restore from a backup archive, usable as an init container. Prints one JSON line on success (or when
/// told to skip); exit 0 then, 2 for bad arguments or a target that is not empty, 1 when the restore fails (no backup,
/// a damaged object, a gap: nothing is left at the target). S3 credentials come from the SDK's default chain
/// (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, web identity, instance profile).
/// </summary>
internal static partial class RestoreCommand
{
    public const string Name = "restore";

    public const int Usage = 2;
    public const int Failed = 1;

    private const string Help = "usage: k8srepl-sidecar restore --from URL [--endpoint URL] --to PATH [--at RFC3339] [--if-missing] [--if-backup-exists]";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var switches = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var (flag, value) = arg.StartsWith("--", StringComparison.Ordinal) && eq > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
            switch (flag)
            {
                case "--if-missing" or "--if-backup-exists" when value is null:
                    switches.Add(flag);
                    break;
                case "--from" or "--endpoint" or "--to" or "--at":
                    value ??= i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
                    if (value is null)
                    {
                        return await Fail(error, Usage, $"{flag}: needs a value");
                    }

                    if (!values.TryAdd(flag, value))
                    {
                        return await Fail(error, Usage, $"{flag}: given more than once");
                    }

                    break;
                default:
                    return await Fail(error, Usage, $"{flag}: unknown argument\n{Help}");
            }
        }

        if (!values.TryGetValue("--from", out var from))
        {
            return await Fail(error, Usage, $"--from: required (file:///abs/path or s3://bucket/prefix)\n{Help}");
        }

        if (Configuration.BackupLocation.Parse(from, out var fromError) is null)
        {
            return await Fail(error, Usage, $"--from: {fromError}");
        }

        if (!values.TryGetValue("--to", out var to) || string.IsNullOrWhiteSpace(to))
        {
            return await Fail(error, Usage, $"--to: required (the SQLite file to write)\n{Help}");
        }

        var endpoint = values.GetValueOrDefault("--endpoint");
        if (endpoint is not null && Configuration.BackupLocation.EndpointProblem(endpoint) is { } endpointError)
        {
            return await Fail(error, Usage, $"--endpoint: {endpointError}");
        }

        DateTimeOffset? at = null;
        if (values.TryGetValue("--at", out var atText))
        {
            if (!Rfc3339().IsMatch(atText) || !DateTimeOffset.TryParse(atText, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                return await Fail(error, Usage, $"--at: {Configuration.InputQuote.Quote(atText)} is not an RFC 3339 time with a zone (2026-12-06T10:00:00Z)");
            }

            at = parsed;
        }

        try
        {
            using var remote = RemoteStores.Open(from, endpoint, credentials: null);
            var report = await new Restorer(remote).RestoreAsync(to, at, switches.Contains("--if-missing"), switches.Contains("--if-backup-exists"), cancellationToken);
            await output.WriteLineAsync(JsonSerializer.Serialize(report, BackupJsonContext.Default.RestoreReport));
            return 0;
        }
        catch (RestoreFailedException e)
        {
            return await Fail(error, e.Refused ? Usage : Failed, e.Message);
        }
        catch (ArchiveCorruptException e)
        {
            return await Fail(error, Failed, e.Message);
        }
        catch (RemoteStoreException e)
        {
            return await Fail(error, Failed, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException or InvalidDataException)
        {
            // The target's volume (full, read-only), or SQLite refusing what it was given: the message says which.
            return await Fail(error, Failed, $"{to}: {e.Message}");
        }
    }

    private static async Task<int> Fail(TextWriter error, int code, string message)
    {
        await error.WriteLineAsync("k8srepl-sidecar restore: " + message);
        return code;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();
}
