using System.Text.Json;
using k8s;
using k8s.Models;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Resources;

namespace K8sReplication.Kube.Watch;

/// <summary>Parses one NDJSON watch line: <c>{"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}</c>.</summary>
internal static class WatchEventParser
{
    /// <exception cref="ResourceExpiredException">An ERROR event with code 410.</exception>
    /// <exception cref="KubeApiException">Any other ERROR event, or a malformed line.</exception>
    public static WatchEvent<T> Parse<T>(KubeResource<T> resource, ReadOnlySpan<byte> line)
        where T : class, IKubernetesObject<V1ObjectMeta>
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
                throw new KubeApiException($"watch {resource}: event without type/object: {Preview(line)}", 0, null);
            }

            kind = typeElement.GetString();
            if (kind == "ERROR")
            {
                throw ErrorEvent(resource, KubernetesJson.Deserialize<V1Status>(objectElement));
            }

            obj = KubernetesJson.Deserialize<T>(objectElement);
        }
        catch (JsonException ex)
        {
            throw new KubeApiException($"watch {resource}: malformed event: {ex.Message}: {Preview(line)}", 0, null, ex);
        }

        var eventType = kind switch
        {
            "ADDED" => WatchEventType.Added,
            "MODIFIED" => WatchEventType.Modified,
            "DELETED" => WatchEventType.Deleted,
            "BOOKMARK" => WatchEventType.Bookmark,
            _ => throw new KubeApiException($"watch {resource}: unknown event type '{kind}'", 0, null),
        };
        if (obj is null)
        {
            throw new KubeApiException($"watch {resource}: {kind} event with a null object", 0, null);
        }

        obj.ApiVersion ??= resource.ApiVersion;
        obj.Kind ??= resource.Kind;
        return new WatchEvent<T>(eventType, obj, obj.Metadata?.ResourceVersion);
    }

    private static KubeApiException ErrorEvent<T>(KubeResource<T> resource, V1Status? status)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var code = status?.Code ?? 500;
        var message = $"watch {resource}: ERROR event {code} {status?.Reason}: {status?.Message}";
        return code == 410 ? new ResourceExpiredException(message, status) : new KubeApiException(message, code, status);
    }

    private static string Preview(ReadOnlySpan<byte> line)
    {
        var text = System.Text.Encoding.UTF8.GetString(line[..Math.Min(line.Length, 200)]);
        return line.Length > 200 ? text + "..." : text;
    }
}
