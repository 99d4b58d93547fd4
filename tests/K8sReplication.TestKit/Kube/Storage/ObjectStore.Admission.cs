using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Resources;
using K8sReplication.TestKit.Kube.Schema;

namespace K8sReplication.TestKit.Kube.Storage;

internal sealed partial class ObjectStore
{
    private void ResolveNamespace(ResourceType type, string? ns, JsonObject meta)
    {
        if (!type.Namespaced)
        {
            meta.Remove("namespace");
            return;
        }

        var bodyNs = meta["namespace"]?.GetValue<string>();
        if (bodyNs is { Length: > 0 } && ns is not null && bodyNs != ns)
        {
            throw ApiErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        var effective = ns ?? bodyNs ?? throw ApiErrors.BadRequest("a namespace must be specified");
        meta["namespace"] = effective;
        var namespaces = Catalog.Find("", "v1", "namespaces")!;
        var owner = Find(namespaces, null, effective) ?? throw ApiErrors.NamespaceNotFound(effective);
        if (owner["metadata"]?["deletionTimestamp"] is not null)
        {
            throw ApiErrors.Forbidden($"{type.QualifiedResource} \"{meta["name"]}\" is forbidden: unable to create new content in namespace {effective} because it is being terminated");
        }
    }

    private void InitialiseBuiltIn(ResourceType type, JsonObject obj)
    {
        switch (type.StorageKey)
        {
            case "/pods":
                obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = "BestEffort" };
                break;
            case "/namespaces":
                obj["status"] = new JsonObject { ["phase"] = "Active" };
                var labels = Meta(obj)["labels"] as JsonObject ?? [];
                labels["kubernetes.io/metadata.name"] = Name(obj);
                Meta(obj)["labels"] = labels;
                break;
            case "apiextensions.k8s.io/customresourcedefinitions":
                if (obj["spec"] is JsonObject)
                {
                    obj["status"] = CrdTranslator.EstablishedStatus(obj, Now());
                }

                break;
        }
    }

    /// <summary>Schema pruning, defaulting and validation plus name rules; throws 422 Invalid listing every error.</summary>
    private static List<string> Admit(ResourceType type, JsonObject obj, WriteOptions options, JsonObject? old = null)
    {
        var warnings = new List<string>();
        var errors = new List<FieldError>();
        if (type.StorageKey == "/secrets" && obj["stringData"] is JsonObject stringData)
        {
            // As the real server: stringData is write-only and merged into data, base64-encoded.
            var data = obj["data"] as JsonObject ?? [];
            foreach (var (key, value) in stringData)
            {
                data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value?.GetValue<string>() ?? ""));
            }

            obj["data"] = data;
            obj.Remove("stringData");
        }

        var name = Name(obj);
        CheckName(type, name, errors);
        if (type.IsCustom && type.Schema is not null)
        {
            var pruned = new List<string>();
            SchemaPruner.PruneRoot(obj, type.Schema, pruned);
            if (pruned.Count > 0 && options.Strict)
            {
                throw ApiErrors.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: strict decoding error: {string.Join(", ", pruned.Select(p => $"unknown field \"{p}\""))}");
            }

            if (!string.Equals(options.FieldValidation, "Ignore", StringComparison.OrdinalIgnoreCase))
            {
                warnings.AddRange(pruned.Select(p => $"unknown field \"{p}\""));
            }

            SchemaDefaulter.Apply(obj, type.Schema);
            errors.AddRange(SchemaValidator.ValidateRoot(obj, type.Schema, old));
        }

        if (IsCrd(type))
        {
            errors.AddRange(CrdTranslator.Validate(obj));
        }

        if (WebhookConfigurationValidation.Handles(type.StorageKey))
        {
            if (WebhookConfigurationValidation.UndecodableCaBundle(obj) is { } undecodable)
            {
                throw ApiErrors.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: {undecodable}");
            }

            errors.AddRange(WebhookConfigurationValidation.DefaultAndValidate(obj, type.StorageKey == WebhookConfigurationValidation.MutatingStorageKey));
        }

        if (errors.Count > 0)
        {
            throw ApiErrors.Invalid(type, name, errors);
        }

        return warnings;
    }

    private static void CheckName(ResourceType type, string name, List<FieldError> errors)
    {
        if (type.Group == "rbac.authorization.k8s.io")
        {
            if (name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
            {
                errors.Add(FieldError.Invalid("metadata.name", $"\"{name}\"", "may not contain '/'"));
            }

            return;
        }

        var isLabel = type.StorageKey is "/namespaces" or "/services";
        var valid = isLabel ? DnsNames.IsLabel(name) : DnsNames.IsSubdomain(name);
        if (!valid)
        {
            errors.Add(FieldError.Invalid("metadata.name", $"\"{name}\"", isLabel ? DnsNames.LabelMessage : DnsNames.SubdomainMessage));
        }
    }

    /// <summary>Generation follows the spec: everything but metadata (and status when it is a subresource).</summary>
    private static bool SameSpec(ResourceType type, JsonObject old, JsonObject candidate)
    {
        static JsonObject Strip(JsonObject obj, bool dropStatus)
        {
            var copy = obj.DeepClone().AsObject();
            copy.Remove("metadata");
            copy.Remove("apiVersion");
            copy.Remove("kind");
            if (dropStatus)
            {
                copy.Remove("status");
            }

            return copy;
        }

        return JsonNode.DeepEquals(Strip(old, type.HasStatus), Strip(candidate, type.HasStatus));
    }

    private static bool SameIgnoringManagers(JsonObject old, JsonObject candidate)
    {
        var a = old.DeepClone().AsObject();
        var b = candidate.DeepClone().AsObject();
        Meta(a).Remove("managedFields");
        Meta(b).Remove("managedFields");
        a.Remove("apiVersion");
        b.Remove("apiVersion");
        return JsonNode.DeepEquals(a, b);
    }

    /// <summary>Minimal managedFields: one entry per manager and operation, with empty FieldsV1.</summary>
    private void RecordManager(JsonObject obj, ResourceType type, WriteOptions options, string operation)
    {
        if (options.FieldManager is not { Length: > 0 } manager)
        {
            return;
        }

        var meta = Meta(obj);
        var entries = meta["managedFields"] as JsonArray ?? [];
        var existing = entries.FirstOrDefault(e => e?["manager"]?.GetValue<string>() == manager && e["operation"]?.GetValue<string>() == operation);
        if (existing is not null)
        {
            entries.Remove(existing);
        }

        entries.Add(new JsonObject
        {
            ["manager"] = manager,
            ["operation"] = operation,
            ["apiVersion"] = type.ApiVersion,
            ["time"] = Now(),
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = new JsonObject(),
        });
        meta["managedFields"] = entries;
    }
}
