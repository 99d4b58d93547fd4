using System.Text.Json;
using System.Text.Json.Nodes;

namespace K8sReplication.TestKit.Kube.Patching;

/// <summary>
/// Strategic merge patch for the built-in fields kubectl's client-side apply touches: lists of containers, ports,
/// env, volumes, mounts and conditions merge by their key; <c>$patch</c>, <c>$setElementOrder</c>,
/// <c>$retainKeys</c> and <c>$deleteFromPrimitiveList</c> directives are honoured or dropped. Other lists replace,
/// so on custom resources it behaves like a JSON merge patch (as the real server does).
/// </summary>
internal static class StrategicMergePatch
{
    private static readonly Dictionary<string, string[]> MergeKeys = new(StringComparer.Ordinal)
    {
        ["containers"] = ["name"],
        ["initContainers"] = ["name"],
        ["ephemeralContainers"] = ["name"],
        ["env"] = ["name"],
        ["volumes"] = ["name"],
        ["volumeMounts"] = ["mountPath"],
        ["volumeDevices"] = ["devicePath"],
        ["imagePullSecrets"] = ["name"],
        ["conditions"] = ["type"],
        ["ports"] = ["containerPort", "port"],
        ["hostAliases"] = ["ip"],
        ["ownerReferences"] = ["uid"],
        ["topologySpreadConstraints"] = ["topologyKey"],
        ["webhooks"] = ["name"],
    };

    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        if (patchObject["$patch"]?.GetValue<string>() == "replace")
        {
            var replaced = patchObject.DeepClone().AsObject();
            replaced.Remove("$patch");
            return replaced;
        }

        var result = target is JsonObject t ? t.DeepClone().AsObject() : [];
        foreach (var (name, value) in patchObject)
        {
            if (name.StartsWith("$setElementOrder/", StringComparison.Ordinal) || name is "$retainKeys" or "$patch")
            {
                continue;
            }

            if (name.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var field = name["$deleteFromPrimitiveList/".Length..];
                if (result[field] is JsonArray existing && value is JsonArray remove)
                {
                    result[field] = new JsonArray([.. existing.Where(e => !remove.Any(r => JsonNode.DeepEquals(r, e))).Select(e => e?.DeepClone())]);
                }

                continue;
            }

            if (value is null)
            {
                result.Remove(name);
            }
            else if (value is JsonArray patchList && MergeKeys.TryGetValue(name, out var keys) && result[name] is JsonArray current)
            {
                result[name] = MergeList(current, patchList, keys);
            }
            else if (value is JsonArray plain)
            {
                result[name] = StripDirectives(plain);
            }
            else
            {
                result[name] = Apply(result[name], value);
            }
        }

        if (patchObject["$retainKeys"] is JsonArray retain)
        {
            var keep = retain.Select(k => k?.GetValue<string>()).ToHashSet();
            foreach (var key in result.Select(p => p.Key).ToList())
            {
                if (!keep.Contains(key))
                {
                    result.Remove(key);
                }
            }
        }

        return result;
    }

    private static JsonArray MergeList(JsonArray current, JsonArray patch, string[] keys)
    {
        var merged = new List<JsonNode?>(current.Select(c => c?.DeepClone()));
        foreach (var item in patch)
        {
            if (item is not JsonObject patchItem || KeyOf(patchItem, keys) is not { } key)
            {
                merged.Add(item?.DeepClone());
                continue;
            }

            var index = merged.FindIndex(m => m is JsonObject o && KeyOf(o, keys) == key);
            var directive = patchItem["$patch"]?.GetValue<string>();
            if (directive == "delete")
            {
                if (index >= 0)
                {
                    merged.RemoveAt(index);
                }
            }
            else if (index >= 0)
            {
                merged[index] = Apply(merged[index], patchItem);
            }
            else
            {
                merged.Add(Apply(null, patchItem));
            }
        }

        return new JsonArray([.. merged]);
    }

    private static JsonArray StripDirectives(JsonArray list) =>
        new([.. list.Where(i => i is not JsonObject o || o["$patch"]?.GetValue<string>() != "delete").Select(i => i is JsonObject o ? Apply(null, o) : i?.DeepClone())]);

    private static string? KeyOf(JsonObject item, string[] keys)
    {
        foreach (var key in keys)
        {
            if (item[key] is JsonValue v)
            {
                return v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString();
            }
        }

        return null;
    }
}
