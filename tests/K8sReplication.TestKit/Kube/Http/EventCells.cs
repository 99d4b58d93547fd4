using System.Globalization;
using System.Text.Json.Nodes;

namespace K8sReplication.TestKit.Kube.Http;

/// <summary>
/// The computed cells of the real server's Event printer, from a stored (core v1) Event: ages fall back from
/// first/lastTimestamp to eventTime and series.lastObservedTime, the count to the series count (1 for a singleton),
/// the object to <c>kind/name</c> in lower case and the source to <c>component, host</c> or the reporting controller.
/// </summary>
internal static class EventCells
{
    public static bool TryCompute(string column, JsonObject ev, DateTimeOffset now, out JsonNode? cell)
    {
        cell = column switch
        {
            "Last Seen" => LastSeen(ev, now),
            "First Seen" => FirstSeen(ev, now),
            "Count" => Count(ev),
            "Object" => Target(ev),
            "Source" => Source(ev),
            "Message" => (Text(ev, "message") ?? "").Trim(),
            _ => null,
        };
        return cell is not null;
    }

    private static string FirstSeen(JsonObject ev, DateTimeOffset now) =>
        Age(Text(ev, "firstTimestamp") ?? Text(ev, "eventTime"), now);

    private static string LastSeen(JsonObject ev, DateTimeOffset now)
    {
        if (ev["series"] is JsonObject series)
        {
            return Age(series["lastObservedTime"]?.GetValue<string>(), now);
        }

        return Text(ev, "lastTimestamp") is { } last ? Age(last, now) : FirstSeen(ev, now);
    }

    private static long Count(JsonObject ev)
    {
        if (ev["series"] is JsonObject series)
        {
            return series["count"]?.GetValue<long>() ?? 0;
        }

        var count = ev["count"]?.GetValue<long>() ?? 0;
        return count == 0 ? 1 : count;
    }

    private static string Target(JsonObject ev)
    {
        var kind = (ev["involvedObject"]?["kind"]?.GetValue<string>() ?? "").ToLowerInvariant();
        var name = ev["involvedObject"]?["name"]?.GetValue<string>() ?? "";
        return name.Length > 0 ? $"{kind}/{name}" : kind;
    }

    private static string Source(JsonObject ev)
    {
        var component = ev["source"]?["component"]?.GetValue<string>() ?? "";
        if (component.Length == 0)
        {
            component = Text(ev, "reportingComponent") ?? "";
            var instance = Text(ev, "reportingInstance") ?? "";
            return instance.Length == 0 ? component : $"{component}, {instance}";
        }

        var host = ev["source"]?["host"]?.GetValue<string>() ?? "";
        return host.Length == 0 ? component : $"{component}, {host}";
    }

    private static string? Text(JsonObject ev, string field) => ev[field]?.GetValue<string>() is { Length: > 0 } text ? text : null;

    private static string Age(string? timestamp, DateTimeOffset now) =>
        timestamp is not null && DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? HumanDuration.Format(now - time)
            : "<unknown>";
}
