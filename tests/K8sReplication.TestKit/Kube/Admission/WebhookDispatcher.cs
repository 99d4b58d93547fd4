using System.Text;
using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Patching;
using K8sReplication.TestKit.Kube.Selection;
using K8sReplication.TestKit.Kube.Storage;
using static K8sReplication.TestKit.Kube.Resources.WebhookConfigurationValidation;

namespace K8sReplication.TestKit.Kube.Admission;

/// <summary>
/// Calls the admission webhooks that apply to a write, as kube-apiserver's webhook admission plugins do: configurations
/// in name order, each configuration's webhooks in their listed order. A mutating webhook's JSON patch is applied
/// before the next one is called; IfNeeded webhooks are called once more when a later webhook changed the object. A
/// denial fails the write with the webhook's status; a failed call fails it too (500, naming the webhook) unless the
/// webhook's failurePolicy is Ignore. Webhook configurations themselves are never sent to webhooks.
/// </summary>
internal sealed class WebhookDispatcher
{
    private static readonly JsonObject UserInfo = new()
    {
        ["username"] = "system:admin",
        ["groups"] = new JsonArray("system:masters", "system:authenticated"),
    };

    private readonly ObjectStore _store;
    private readonly WebhookClient _client;

    public WebhookDispatcher(ObjectStore store, WebhookClient client)
    {
        _store = store;
        _client = client;
    }

    /// <summary>True when some configuration of that kind exists; writes skip admission entirely otherwise.</summary>
    public bool HasWebhooks(bool mutating) => Configurations(mutating).Count > 0;

    /// <summary>Returns the object after every matching mutating webhook (the same instance when none changed it).</summary>
    public async Task<JsonObject> MutateAsync(AdmissionAttributes request, CancellationToken cancellationToken)
    {
        var hooks = Applicable(request, mutating: true);
        var reinvocable = new List<(JsonObject Hook, int ChangesSeen)>();
        var changes = 0;
        foreach (var hook in hooks)
        {
            if (await CallAsync(hook, request, mutating: true, cancellationToken) is { } patched)
            {
                request = request with { Object = patched };
                changes++;
            }

            if (Text(hook, "reinvocationPolicy") == "IfNeeded")
            {
                reinvocable.Add((hook, changes));
            }
        }

        foreach (var (hook, changesSeen) in reinvocable.Where(r => r.ChangesSeen < changes).ToList())
        {
            if (await CallAsync(hook, request, mutating: true, cancellationToken) is { } patched)
            {
                request = request with { Object = patched };
            }
        }

        return request.Object;
    }

    public async Task ValidateAsync(AdmissionAttributes request, CancellationToken cancellationToken)
    {
        foreach (var hook in Applicable(request, mutating: false))
        {
            await CallAsync(hook, request, mutating: false, cancellationToken);
        }
    }

    private IReadOnlyList<JsonObject> Configurations(bool mutating)
    {
        var type = _store.Catalog.FindByStorageKey(mutating ? MutatingStorageKey : ValidatingStorageKey)!;
        return _store.List(type, null, LabelSelector.Everything, FieldSelector.Parse(null), 0, null).Items;
    }

    private List<JsonObject> Applicable(AdmissionAttributes request, bool mutating)
    {
        if (request.Type.Group == "admissionregistration.k8s.io")
        {
            return [];
        }

        var namespaces = _store.Catalog.Find("", "v1", "namespaces")!;
        JsonObject? NamespaceLabels(string name) =>
            (_store.TryGet(namespaces, null, name) ?? throw ApiErrors.NamespaceNotFound(name))["metadata"]?["labels"] as JsonObject;

        return [.. Configurations(mutating)
            .SelectMany(c => (c["webhooks"] as JsonArray ?? []).OfType<JsonObject>())
            .Where(hook => WebhookMatcher.Matches(hook, request, NamespaceLabels))];
    }

    /// <summary>Calls one webhook; returns the patched object when a mutating webhook changed it, else null.</summary>
    private async Task<JsonObject?> CallAsync(JsonObject hook, AdmissionAttributes request, bool mutating, CancellationToken cancellationToken)
    {
        var name = Text(hook, "name") ?? "";
        var version = Strings(hook["admissionReviewVersions"]).Contains("v1") ? "v1" : "v1beta1";
        var uid = Guid.NewGuid().ToString();
        JsonObject response;
        JsonArray? operations;
        try
        {
            var review = await _client.PostAsync(hook, Review(request, uid, version), cancellationToken);
            response = Verify(review, uid, version, mutating);
            operations = response["allowed"]?.GetValue<bool>() == true ? DecodePatch(response) : null;
        }
        catch (WebhookCallException e)
        {
            if (Text(hook, "failurePolicy") == "Ignore")
            {
                return null;
            }

            var message = $"failed calling webhook \"{name}\": {e.Message}";
            throw new ApiException(500, "InternalError", "Internal error occurred: " + message,
                new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) });
        }

        if (response["allowed"]?.GetValue<bool>() != true)
        {
            throw Denied(name, response["status"] as JsonObject);
        }

        if (operations is not { Count: > 0 })
        {
            return null;
        }

        try
        {
            var patched = JsonPatch.Apply(request.Object, operations).AsObject();
            return JsonNode.DeepEquals(patched, request.Object) ? null : patched;
        }
        catch (ApiException e)
        {
            // A patch that does not apply is the webhook's bug: a 500 whatever the failurePolicy, as in the real server.
            throw new ApiException(500, "InternalError", "Internal error occurred: " + e.Message);
        }
    }

    private static JsonArray? DecodePatch(JsonObject response)
    {
        if (Text(response, "patch") is not { Length: > 0 } patch)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(patch))) as JsonArray
                ?? throw new WebhookCallException("received undecodable patch in webhook response: the patch is not a JSON array");
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            throw new WebhookCallException("received undecodable patch in webhook response: " + e.Message, e);
        }
    }

    private static JsonObject Review(AdmissionAttributes request, string uid, string version)
    {
        var type = request.Type;
        var kind = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind };
        var resource = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["resource"] = type.Plural };
        var body = new JsonObject
        {
            ["uid"] = uid,
            ["kind"] = kind,
            ["resource"] = resource,
            ["requestKind"] = kind.DeepClone(),
            ["requestResource"] = resource.DeepClone(),
        };
        if (request.Subresource is { } subresource)
        {
            body["subResource"] = subresource;
            body["requestSubResource"] = subresource;
        }

        if (request.Name.Length > 0)
        {
            body["name"] = request.Name;
        }

        if (request.Namespace is { Length: > 0 } ns)
        {
            body["namespace"] = ns;
        }

        body["operation"] = request.Operation;
        body["userInfo"] = UserInfo.DeepClone();
        body["object"] = request.Object.DeepClone();
        body["oldObject"] = request.OldObject?.DeepClone();
        body["dryRun"] = request.DryRun;
        body["options"] = request.Options.DeepClone();
        return new JsonObject { ["kind"] = "AdmissionReview", ["apiVersion"] = "admission.k8s.io/" + version, ["request"] = body };
    }

    /// <summary>The real server's response checks: present, same uid and kind (v1), patch and patchType together.</summary>
    private static JsonObject Verify(JsonObject review, string uid, string version, bool mutating)
    {
        const string Invalid = "received invalid webhook response: ";
        if (review["response"] is not JsonObject response)
        {
            throw new WebhookCallException(Invalid + "webhook response was absent");
        }

        if (version == "v1")
        {
            var got = Text(response, "uid") ?? "";
            if (got != uid)
            {
                throw new WebhookCallException(Invalid + $"expected response.uid=\"{uid}\", got \"{got}\"");
            }

            var apiVersion = Text(review, "apiVersion") ?? "";
            var kind = Text(review, "kind") ?? "";
            if (apiVersion != "admission.k8s.io/v1" || kind != "AdmissionReview")
            {
                throw new WebhookCallException(Invalid + $"expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got {GroupVersionKind(apiVersion, kind)}");
            }
        }

        var hasPatch = Text(response, "patch") is { Length: > 0 };
        var patchType = version == "v1" ? Text(response, "patchType") : hasPatch ? "JSONPatch" : null;
        if (!mutating && (hasPatch || patchType is not null))
        {
            throw new WebhookCallException(Invalid + (hasPatch ? "validating webhook may not return response.patch" : "validating webhook may not return response.patchType"));
        }

        if (hasPatch && patchType is null)
        {
            throw new WebhookCallException(Invalid + "webhook returned response.patch but not response.patchType");
        }

        if (!hasPatch && patchType is not null)
        {
            throw new WebhookCallException(Invalid + "webhook returned response.patchType but not response.patch");
        }

        if (patchType is not null and not "JSONPatch")
        {
            throw new WebhookCallException($"unsupported patch type \"{patchType}\"");
        }

        return response;
    }

    private static string GroupVersionKind(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? $"/{apiVersion}, Kind={kind}" : $"{apiVersion}, Kind={kind}";
    }

    /// <summary>The webhook's own status, its message prefixed with who denied, never below 400.</summary>
    private static ApiException Denied(string name, JsonObject? status)
    {
        var deniedBy = $"admission webhook \"{name}\" denied the request";
        var message = Text(status ?? [], "message") is { Length: > 0 } m ? $"{deniedBy}: {m}"
            : Text(status ?? [], "reason") is { Length: > 0 } r ? $"{deniedBy}: {r}"
            : deniedBy + " without explanation";
        var code = status?["code"] is JsonValue c && c.TryGetValue<int>(out var value) && value >= 400 ? value : 400;
        return new ApiException(code, Text(status ?? [], "reason") ?? "", message, status?["details"]?.DeepClone() as JsonObject);
    }
}
