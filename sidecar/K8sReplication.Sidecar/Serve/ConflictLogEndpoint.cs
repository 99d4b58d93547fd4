using System.Globalization;
using System.Text.RegularExpressions;
using K8sReplication.Contracts.Conflicts;
using K8sReplication.Contracts.Json;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Serve;

/// <summary>
/// <c>GET /v1/conflicts?table=T&amp;since=RFC3339&amp;limit=N</c> on the admin port: the conflict log, oldest first.
/// The entries hold the app's row data, so the endpoint asks for the same bearer token as <c>PUT /v1/config</c> (and,
/// like it, is open when no token file is configured).
/// </summary>
internal static partial class ConflictLogEndpoint
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 10_000;

    /// <summary>RFC 3339 date-time; the fraction may be longer than .NET parses (Go writes nanoseconds).</summary>
    [GeneratedRegex(@"^(?<head>\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2})(?:\.(?<fraction>\d{1,9}))?(?<zone>[Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();

    public static Task HandleAsync(HttpContext context)
    {
        AdminApi.RequireToken(context);

        var table = Table(context);
        var since = Since(context);
        var limit = (int)RequestInput.Long(context, "limit", DefaultLimit, 1, MaxLimit);
        var entries = ReplicationApi.Store(context).ReadConflicts(table, since, limit);
        return ApiResponses.JsonAsync(context, new ConflictsResponse { Conflicts = [.. entries.Select(ToRecord)] },
            ContractsJsonContext.Default.ConflictsResponse);
    }

    /// <summary>The contract shape of one entry: key decoded to its values, sites as 32 hex digits, time in UTC.</summary>
    public static ConflictRecord ToRecord(ConflictEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new ConflictRecord
        {
            Table = entry.Table,
            Key = KeyCodec.Decode(entry.Key),
            Reason = entry.Reason,
            Loser = new ConflictLoser { Hlc = entry.Loser.Hlc, Site = entry.Loser.Site.ToString(), Values = entry.LoserValues },
            Winner = new ConflictWinner { Hlc = entry.Winner.Hlc, Site = entry.Winner.Site.ToString() },
            At = entry.At.ToUniversalTime(),
        };
    }

    /// <summary>Parses an RFC 3339 date-time (any offset); null when it is not one.</summary>
    public static DateTimeOffset? ParseRfc3339(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = Rfc3339().Match(text);
        if (!match.Success)
        {
            return null;
        }

        // .NET parses at most 7 fraction digits; the log keeps milliseconds, so the rest cannot matter.
        var fraction = match.Groups["fraction"].Value;
        var normalized = match.Groups["head"].Value.Replace('t', 'T')
            + (fraction.Length == 0 ? "" : "." + fraction[..Math.Min(fraction.Length, 7)])
            + (match.Groups["zone"].Value is "z" or "Z" ? "Z" : match.Groups["zone"].Value);
        return DateTimeOffset.TryParse(normalized, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value)
            ? value
            : null;
    }

    private static string? Table(HttpContext context)
    {
        var text = context.Request.Query["table"];
        if (text.Count == 0)
        {
            return null;
        }

        return text.Count > 1 || string.IsNullOrWhiteSpace(text[0])
            ? throw new BadRequestException("table", $"{InputQuote.Quote(text.ToString())} is not one table name")
            : text[0];
    }

    private static DateTimeOffset? Since(HttpContext context)
    {
        var text = context.Request.Query["since"];
        if (text.Count == 0)
        {
            return null;
        }

        return (text.Count == 1 ? ParseRfc3339(text[0]!) : null)
            ?? throw new BadRequestException("since", $"{InputQuote.Quote(text.ToString())} is not an RFC 3339 date-time (example: 2026-01-31T12:00:00Z)");
    }
}
