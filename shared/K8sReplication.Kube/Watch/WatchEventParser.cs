using System.Text.Json;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Json;
using K8sReplication.Kube.Models;

namespace K8sReplication.Kube.Watch;

/// <summary>Parses one NDJSON watch line: <c>{"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}</c>.</summary>
internal static class WatchEventParser
{
    /// <exception cref="ResourceExpiredException">An ERROR event with code 410.</exception>
    /// <exception cref="KubeApiException">Any other ERROR event, or a malformed line.</exception>
    public static WatchEvent<T> Parse<T>(ResourceType<T> type, ReadOnlySpan<byte> line)
        where T : class, IKubeObject
    {
        string? kind;
        T? obj;
        try
        {
            var reader = new Utf8JsonReader(line);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var typeElement)
                || !root.TryGetProperty("object", out var objectElement))
            {
                throw new KubeApiException($"watch {type}: event without type/object: {Preview(line)}", 0, null);
            }

            kind = typeElement.GetString();
            if (kind == "ERROR")
            {
                throw ErrorEvent(type, objectElement.Deserialize(KubeJsonContext.Default.Status));
            }

            obj = objectElement.Deserialize(type.TypeInfo);
        }
        catch (JsonException ex)
        {
            throw new KubeApiException($"watch {type}: malformed event: {ex.Message}: {Preview(line)}", 0, null, ex);
        }

        var eventType = kind switch
        {
            "ADDED" => WatchEventType.Added,
            "MODIFIED" => WatchEventType.Modified,
            "DELETED" => WatchEventType.Deleted,
            "BOOKMARK" => WatchEventType.Bookmark,
            _ => throw new KubeApiException($"watch {type}: unknown event type '{kind}'", 0, null),
        };
        if (obj is null)
        {
            throw new KubeApiException($"watch {type}: {kind} event with a null object", 0, null);
        }

        obj.ApiVersion ??= type.ApiVersion;
        obj.Kind ??= type.Kind;
        return new WatchEvent<T>(eventType, obj, obj.Metadata?.ResourceVersion);
    }

    private static KubeApiException ErrorEvent<T>(ResourceType<T> type, Status? status)
        where T : class, IKubeObject
    {
        var code = status?.Code ?? 500;
        var message = $"watch {type}: ERROR event {code} {status?.Reason}: {status?.Message}";
        return code == 410 ? new ResourceExpiredException(message, status) : new KubeApiException(message, code, status);
    }

    private static string Preview(ReadOnlySpan<byte> line)
    {
        var text = System.Text.Encoding.UTF8.GetString(line[..Math.Min(line.Length, 200)]);
        return line.Length > 200 ? text + "..." : text;
    }
}
