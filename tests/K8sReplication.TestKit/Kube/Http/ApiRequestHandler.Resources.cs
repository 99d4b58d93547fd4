using System.Globalization;
using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Patching;
using K8sReplication.TestKit.Kube.Resources;
using K8sReplication.TestKit.Kube.Selection;
using K8sReplication.TestKit.Kube.Storage;

namespace K8sReplication.TestKit.Kube.Http;

internal sealed partial class ApiRequestHandler
{
    private async Task ServeResourceAsync(HttpContext context, RequestTarget target, string verb)
    {
        var path = context.Request.Path.Value ?? "";
        var type = ResolveType(target, path);
        var stored = StorageOf(type);
        var query = context.Request.Query;
        var status = target.Subresource == "status";
        if (type.Namespaced && target.Namespace is null && target.Name is not null)
        {
            throw ApiErrors.ResourceNotFound(path);
        }

        switch (verb)
        {
            case "get":
                await WriteObjectAsync(context, type, 200, _store.Get(stored, target.Namespace, target.Name!));
                break;
            case "list":
                await ListAsync(context, type, target);
                break;
            case "watch":
                await WatchAsync(context, type, target);
                break;
            case "create":
                {
                    if (target.Name is not null)
                    {
                        throw ApiErrors.MethodNotAllowed("the server does not allow this method on the requested resource");
                    }

                    if (type.Namespaced && target.Namespace is null)
                    {
                        throw ApiErrors.ResourceNotFound(path);
                    }

                    var body = ToStorage(type, await ReadObjectAsync(context));
                    var result = await _admission.CreateAsync(type, stored, target.Namespace, body, WriteOptionsOf(context), context.RequestAborted);
                    await WriteResultAsync(context, type, 201, result);
                    break;
                }

            case "update":
                {
                    var body = ToStorage(type, await ReadObjectAsync(context));
                    var result = await _admission.UpdateAsync(type, stored, target.Namespace, target.Name!, body, status, WriteOptionsOf(context), context.RequestAborted);
                    await WriteResultAsync(context, type, 200, result);
                    break;
                }

            case "patch":
                await PatchAsync(context, type, target, status);
                break;
            case "delete":
                {
                    var options = await DeleteOptionsOfAsync(context);
                    var result = _store.Delete(stored, target.Namespace, target.Name!, options);
                    if (result.Removed && type.IsCustom)
                    {
                        await WriteJsonAsync(context, 200, new JsonObject
                        {
                            ["kind"] = "Status",
                            ["apiVersion"] = "v1",
                            ["metadata"] = new JsonObject(),
                            ["status"] = "Success",
                            ["details"] = new JsonObject
                            {
                                ["name"] = target.Name,
                                ["group"] = type.Group,
                                ["kind"] = type.Plural,
                                ["uid"] = ObjectStore.Uid(result.Object),
                            },
                        });
                    }
                    else
                    {
                        await WriteObjectAsync(context, type, 200, result.Object);
                    }

                    break;
                }

            case "deletecollection":
                {
                    var options = await DeleteOptionsOfAsync(context);
                    var deleted = _store.DeleteCollection(stored, target.Namespace, LabelSelector.Parse(query["labelSelector"]), FieldsOf(type, query["fieldSelector"]), options);
                    var list = new JsonObject
                    {
                        ["kind"] = type.ListKind,
                        ["apiVersion"] = type.ApiVersion,
                        ["metadata"] = new JsonObject { ["resourceVersion"] = _store.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture) },
                        ["items"] = new JsonArray([.. deleted.Select(d => (JsonNode)ForVersion(type, d))]),
                    };
                    await WriteJsonAsync(context, 200, list);
                    break;
                }

            default:
                throw ApiErrors.MethodNotAllowed("the server does not allow this method on the requested resource");
        }
    }

    private async Task ListAsync(HttpContext context, ResourceType type, RequestTarget target)
    {
        var query = context.Request.Query;
        var limit = int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : 0;
        var stored = StorageOf(type);
        var result = _store.List(stored, target.Namespace, LabelSelector.Parse(query["labelSelector"]), FieldsOf(type, query["fieldSelector"]), limit, query["continue"]);
        var meta = new JsonObject { ["resourceVersion"] = result.ResourceVersion.ToString(CultureInfo.InvariantCulture) };
        if (result.Continue is not null)
        {
            meta["continue"] = result.Continue;
            meta["remainingItemCount"] = result.RemainingItemCount;
        }

        if (TableConverter.Wants(context.Request.Headers.Accept))
        {
            var table = TableConverter.Build(stored, result.Items, meta, query["includeObject"].ToString(), _time.GetUtcNow());
            await WriteJsonAsync(context, 200, table);
            return;
        }

        var list = new JsonObject
        {
            ["kind"] = type.ListKind,
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = meta,
            ["items"] = new JsonArray([.. result.Items.Select(i => (JsonNode)ForVersion(type, i))]),
        };
        await WriteJsonAsync(context, 200, list);
    }

    private async Task PatchAsync(HttpContext context, ResourceType type, RequestTarget target, bool status)
    {
        var contentType = (context.Request.ContentType ?? "").Split(';')[0].Trim();
        var text = await ReadBodyAsync(context);
        var options = WriteOptionsOf(context);
        var stored = StorageOf(type);
        WriteResult result;
        Task<WriteResult> PatchThroughAdmissionAsync(Func<JsonObject, JsonObject> patch, Func<JsonObject>? createIfMissing = null) =>
            _admission.PatchAsync(type, stored, target.Namespace, target.Name!, patch, status, options, createIfMissing, context.RequestAborted);

        switch (contentType)
        {
            case "application/merge-patch+json":
                {
                    var patch = JsonNode.Parse(text);
                    result = await PatchThroughAdmissionAsync(old => Patched(type, old, served => MergePatch.Apply(served, patch)));
                    break;
                }

            case "application/strategic-merge-patch+json" when !type.IsCustom:
                {
                    var patch = JsonNode.Parse(text);
                    result = await PatchThroughAdmissionAsync(old => Patched(type, old, served => StrategicMergePatch.Apply(served, patch)));
                    break;
                }

            case "application/json-patch+json":
                {
                    var operations = JsonNode.Parse(text) as JsonArray ?? throw ApiErrors.BadRequest("json patch must be an array of operations");
                    result = await PatchThroughAdmissionAsync(old => Patched(type, old, served => JsonPatch.Apply(served, operations)));
                    break;
                }

            case "application/apply-patch+yaml" or "application/apply-patch+json":
                {
                    if (options.FieldManager is not { Length: > 0 })
                    {
                        throw ApiErrors.BadRequest("PATCH " + context.Request.Path + ": fieldManager is required for apply requests");
                    }

                    var applied = YamlToJson.Parse(text) as JsonObject ?? throw ApiErrors.BadRequest("the apply configuration must be an object");
                    var appliedName = applied["metadata"]?["name"]?.GetValue<string>();
                    if (appliedName is not null && appliedName != target.Name)
                    {
                        throw ApiErrors.BadRequest($"the name of the object ({appliedName}) does not match the name on the URL ({target.Name})");
                    }

                    result = await PatchThroughAdmissionAsync(old => Patched(type, old, served => StrategicMergePatch.Apply(served, applied)),
                        () => ToStorage(type, applied.DeepClone().AsObject()));
                    break;
                }

            default:
                throw new ApiException(415, "UnsupportedMediaType",
                    $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml{(type.IsCustom ? "" : ", application/strategic-merge-patch+json")}");
        }

        await WriteResultAsync(context, type, result.Created ? 201 : 200, result);
    }

    private static JsonObject AsObject(JsonNode? node) => node as JsonObject ?? throw ApiErrors.BadRequest("the patched object must be a JSON object");

    /// <summary>Applies <paramref name="patch"/> to the stored object as the client sees it (its API version's field names).</summary>
    private static JsonObject Patched(ResourceType type, JsonObject stored, Func<JsonObject, JsonNode?> patch) =>
        ToStorage(type, AsObject(patch(type.Conversion?.FromStorage(stored) ?? stored)));

    /// <summary>The resource whose objects <paramref name="type"/> serves: itself, or the storage it is a view of.</summary>
    private ResourceType StorageOf(ResourceType type) =>
        type.Conversion is { } c ? _store.Catalog.Find(c.StorageGroup, c.StorageVersion, c.StoragePlural)! : type;

    private static JsonObject ToStorage(ResourceType type, JsonObject served) => type.Conversion?.ToStorage(served) ?? served;

    private static FieldSelector FieldsOf(ResourceType type, string? text) =>
        FieldSelector.Parse(text, type.Conversion is { } c
            ? label => c.StorageFieldLabel(label) ?? throw ApiErrors.BadRequest($"field label not supported: {label}")
            : null);

    private static WriteOptions WriteOptionsOf(HttpContext context)
    {
        var query = context.Request.Query;
        var validation = query["fieldValidation"].ToString();
        return new WriteOptions(query["dryRun"].ToString() == "All", validation.Length == 0 ? "Warn" : validation, query["fieldManager"].ToString() is { Length: > 0 } m ? m : null);
    }

    private static async Task<DeleteOptions> DeleteOptionsOfAsync(HttpContext context)
    {
        var query = context.Request.Query;
        JsonObject? body;
        if ((context.Request.ContentType ?? "").Contains("protobuf", StringComparison.OrdinalIgnoreCase))
        {
            body = await ReadObjectAsync(context);
        }
        else
        {
            var text = await ReadBodyAsync(context);
            body = string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text) as JsonObject;
        }

        var policy = body?["propagationPolicy"]?.GetValue<string>() ?? (query["propagationPolicy"].ToString() is { Length: > 0 } p ? p : null);
        if (body?["orphanDependents"]?.GetValue<bool>() == true)
        {
            policy ??= "Orphan";
        }

        if (policy is not null and not ("Orphan" or "Background" or "Foreground"))
        {
            throw ApiErrors.BadRequest($"propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
        }

        var dryRun = query["dryRun"].ToString() == "All" || body?["dryRun"] is JsonArray { Count: > 0 };
        return new DeleteOptions(policy, body?["preconditions"]?["uid"]?.GetValue<string>(), body?["preconditions"]?["resourceVersion"]?.GetValue<string>(), dryRun);
    }

    private async Task WriteResultAsync(HttpContext context, ResourceType type, int statusCode, WriteResult result)
    {
        foreach (var warning in result.Warnings)
        {
            context.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }

        await WriteObjectAsync(context, type, statusCode, result.Object);
    }

    private async Task WriteObjectAsync(HttpContext context, ResourceType type, int statusCode, JsonObject obj)
    {
        var versioned = ForVersion(type, obj);
        if (TableConverter.Wants(context.Request.Headers.Accept) && context.Request.Method == HttpMethods.Get)
        {
            var meta = new JsonObject { ["resourceVersion"] = obj["metadata"]?["resourceVersion"]?.DeepClone() };
            await WriteJsonAsync(context, statusCode, TableConverter.Build(StorageOf(type), [obj], meta, context.Request.Query["includeObject"].ToString(), _time.GetUtcNow()));
            return;
        }

        await WriteJsonAsync(context, statusCode, versioned);
    }

    /// <summary>A private copy (stored nodes are shared and a node has one parent) carrying the requested apiVersion: a multi-version CRD's objects are stored once.</summary>
    private static JsonObject ForVersion(ResourceType type, JsonObject obj)
    {
        var copy = type.Conversion?.FromStorage(obj) ?? obj.DeepClone().AsObject();
        copy["apiVersion"] = type.ApiVersion;
        return copy;
    }
}
