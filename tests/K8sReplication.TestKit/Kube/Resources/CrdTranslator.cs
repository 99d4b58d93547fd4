using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using K8sReplication.TestKit.Kube.Schema;

namespace K8sReplication.TestKit.Kube.Resources;

/// <summary>Turns a CustomResourceDefinition into resource types, and checks the parts of a CRD the emulator relies on.</summary>
internal static partial class CrdTranslator
{
    public static IReadOnlyList<ResourceType> ToResourceTypes(JsonObject crd)
    {
        var spec = crd["spec"]!.AsObject();
        var names = spec["names"]!.AsObject();
        var group = Str(spec["group"]);
        var plural = Str(names["plural"]);
        var types = new List<ResourceType>();
        foreach (var versionNode in spec["versions"]?.AsArray() ?? [])
        {
            var version = versionNode!.AsObject();
            if (version["served"]?.GetValue<bool>() == false)
            {
                continue;
            }

            var columns = new List<PrinterColumn> { BuiltInResources.Name };
            var additional = version["additionalPrinterColumns"]?.AsArray();
            if (additional is null || additional.Count == 0)
            {
                columns.Add(BuiltInResources.Age);
            }
            else
            {
                foreach (var column in additional)
                {
                    columns.Add(new PrinterColumn(
                        Str(column!["name"]), Str(column["type"]), Str(column["jsonPath"]),
                        Str(column["description"]), column["priority"]?.GetValue<int>() ?? 0, column["format"]?.GetValue<string>()));
                }
            }

            types.Add(new ResourceType
            {
                Group = group,
                Version = Str(version["name"]),
                Plural = plural,
                Singular = names["singular"]?.GetValue<string>() is { Length: > 0 } s ? s : Str(names["kind"]).ToLowerInvariant(),
                Kind = Str(names["kind"]),
                Namespaced = Str(spec["scope"]) != "Cluster",
                ShortNames = Strings(names["shortNames"]),
                Categories = Strings(names["categories"]),
                HasStatus = version["subresources"]?["status"] is not null,
                Schema = version["schema"]?["openAPIV3Schema"]?.DeepClone().AsObject(),
                Columns = columns,
                IsCustom = true,
            });
        }

        return types;
    }

    public static List<FieldError> Validate(JsonObject crd)
    {
        var errors = new List<FieldError>();
        var spec = crd["spec"] as JsonObject;
        if (spec is null)
        {
            errors.Add(FieldError.Required("spec"));
            return errors;
        }

        var group = spec["group"]?.GetValue<string>() ?? "";
        var names = spec["names"] as JsonObject;
        var plural = names?["plural"]?.GetValue<string>() ?? "";
        if (group.Length == 0)
        {
            errors.Add(FieldError.Required("spec.group"));
        }
        else if (!group.Contains('.', StringComparison.Ordinal))
        {
            errors.Add(FieldError.Invalid("spec.group", Quote(group), "should be a domain with at least one dot"));
        }

        if (plural.Length == 0)
        {
            errors.Add(FieldError.Required("spec.names.plural"));
        }
        else if (!DnsLabel().IsMatch(plural))
        {
            errors.Add(FieldError.Invalid("spec.names.plural", Quote(plural), "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'"));
        }

        if ((names?["kind"]?.GetValue<string>() ?? "").Length == 0)
        {
            errors.Add(FieldError.Required("spec.names.kind"));
        }

        var scope = spec["scope"]?.GetValue<string>() ?? "";
        if (scope is not ("Namespaced" or "Cluster"))
        {
            errors.Add(FieldError.NotSupported("spec.scope", Quote(scope), ["\"Cluster\"", "\"Namespaced\""]));
        }

        var name = crd["metadata"]?["name"]?.GetValue<string>() ?? "";
        if (plural.Length > 0 && group.Length > 0 && name != $"{plural}.{group}")
        {
            errors.Add(FieldError.Invalid("metadata.name", Quote(name), "must be spec.names.plural+\".\"+spec.group"));
        }

        var versions = spec["versions"] as JsonArray;
        if (versions is null || versions.Count == 0)
        {
            errors.Add(FieldError.Invalid("spec.versions", "null", "must have exactly one version marked as storage version"));
        }
        else if (versions.Count(v => v?["storage"]?.GetValue<bool>() == true) != 1)
        {
            errors.Add(FieldError.Invalid("spec.versions", "[]", "must have exactly one version marked as storage version"));
        }

        return errors;
    }

    /// <summary>The status a real server reports once a CRD's names are accepted and it is serving.</summary>
    public static JsonObject EstablishedStatus(JsonObject crd, string now)
    {
        var names = crd["spec"]?["names"]?.DeepClone() ?? new JsonObject();
        var storedVersions = new JsonArray();
        foreach (var version in crd["spec"]?["versions"]?.AsArray() ?? [])
        {
            if (version?["storage"]?.GetValue<bool>() == true)
            {
                storedVersions.Add(Str(version["name"]));
            }
        }

        return new JsonObject
        {
            ["acceptedNames"] = names,
            ["conditions"] = new JsonArray(
                Condition("NamesAccepted", "NoConflicts", "no conflicts found", now),
                Condition("Established", "InitialNamesAccepted", "the initial names have been accepted", now)),
            ["storedVersions"] = storedVersions,
        };
    }

    private static JsonObject Condition(string type, string reason, string message, string now) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["lastTransitionTime"] = now,
        ["reason"] = reason,
        ["message"] = message,
    };

    private static string Quote(string value) => "\"" + value + "\"";

    private static string Str(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    private static string[] Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(Str).Where(s => s.Length > 0)] : [];

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
