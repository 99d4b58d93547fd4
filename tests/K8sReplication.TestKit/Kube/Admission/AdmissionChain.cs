using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Resources;
using K8sReplication.TestKit.Kube.Storage;

namespace K8sReplication.TestKit.Kube.Admission;

/// <summary>
/// Creates, updates and patches through admission, in the real server's order: the request's object (namespace
/// checked, patch applied) goes to the mutating webhooks, the result is validated and defaulted by the store, the
/// stored form goes to the validating webhooks, then it is committed. Webhooks are called outside the store's lock
/// (a webhook may read the API); the commit checks the object is still the one admitted against and admits again
/// if not, as the real server's optimistic update loop does. With no webhook configuration, writes go straight to the store.
/// </summary>
internal sealed class AdmissionChain
{
    private const int MaxAttempts = 10;
    private readonly ObjectStore _store;
    private readonly WebhookDispatcher _webhooks;

    public AdmissionChain(ObjectStore store, WebhookDispatcher webhooks)
    {
        _store = store;
        _webhooks = webhooks;
    }

    /// <summary>
    /// A create of <paramref name="served"/> (the resource as requested, its version's field names) whose objects
    /// <paramref name="stored"/> holds.
    /// </summary>
    public async Task<WriteResult> CreateAsync(ResourceType served, ResourceType stored, string? ns, JsonObject body, WriteOptions options, CancellationToken cancellationToken)
    {
        var (mutating, validating) = (_webhooks.HasWebhooks(true), _webhooks.HasWebhooks(false));
        if (!mutating && !validating)
        {
            return _store.Create(stored, ns, body, options);
        }

        var admitted = await MutateAsync(served, "CREATE", null, _store.PrepareCreate(stored, ns, body), null, options, cancellationToken);
        if (validating)
        {
            var preview = _store.Create(stored, ns, admitted, options with { DryRun = true });
            await ValidateAsync(served, "CREATE", null, preview.Object, null, options, cancellationToken);
        }

        return _store.Create(stored, ns, admitted, options);
    }

    public async Task<WriteResult> UpdateAsync(ResourceType served, ResourceType stored, string? ns, string name, JsonObject body, bool statusOnly,
        WriteOptions options, CancellationToken cancellationToken)
    {
        var (mutating, validating) = (_webhooks.HasWebhooks(true), _webhooks.HasWebhooks(false));
        if (!mutating && !validating)
        {
            return _store.Update(stored, ns, name, body, statusOnly, options);
        }

        var subresource = statusOnly ? "status" : null;
        for (var attempt = 1; ; attempt++)
        {
            var old = _store.Get(stored, ns, name);
            var candidate = body.DeepClone().AsObject();
            candidate["apiVersion"] = stored.ApiVersion;
            candidate["kind"] = stored.Kind;
            if (stored.Namespaced)
            {
                ObjectStore.Meta(candidate)["namespace"] = ns;
            }

            var admitted = await MutateAsync(served, "UPDATE", subresource, candidate, old, options, cancellationToken);
            var readVersion = Version(old);
            try
            {
                if (validating)
                {
                    var preview = _store.Update(stored, ns, name, admitted, statusOnly, options with { DryRun = true }, readVersion);
                    await ValidateAsync(served, "UPDATE", subresource, preview.Object, old, options, cancellationToken);
                }

                return _store.Update(stored, ns, name, admitted, statusOnly, options, readVersion);
            }
            catch (ChangedSinceReadException) when (attempt < MaxAttempts)
            {
                // Admit again against the newer object.
            }
        }
    }

    /// <summary>
    /// A patch: <paramref name="patch"/> maps the stored object to the patched one (storage form);
    /// <paramref name="createIfMissing"/>, for apply patches, gives the object to create when there is none.
    /// </summary>
    public async Task<WriteResult> PatchAsync(ResourceType served, ResourceType stored, string? ns, string name, Func<JsonObject, JsonObject> patch,
        bool statusOnly, WriteOptions options, Func<JsonObject>? createIfMissing, CancellationToken cancellationToken)
    {
        var (mutating, validating) = (_webhooks.HasWebhooks(true), _webhooks.HasWebhooks(false));
        if (!mutating && !validating)
        {
            return _store.Patch(stored, ns, name, patch, statusOnly, options, createIfMissing);
        }

        var subresource = statusOnly ? "status" : null;
        for (var attempt = 1; ; attempt++)
        {
            var old = _store.TryGet(stored, ns, name);
            if (old is null && (createIfMissing is null || statusOnly))
            {
                return _store.Patch(stored, ns, name, patch, statusOnly, options, createIfMissing);
            }

            JsonObject admitted;
            if (old is null)
            {
                var created = createIfMissing!();
                ObjectStore.Meta(created)["name"] = name;
                admitted = await MutateAsync(served, "CREATE", null, _store.PrepareCreate(stored, ns, created), null, options, cancellationToken);
            }
            else
            {
                admitted = await MutateAsync(served, "UPDATE", subresource, patch(old.DeepClone().AsObject()), old, options, cancellationToken);
            }

            // Only the admitted object is written, and only over the version it was admitted against.
            JsonObject StillCurrent(JsonObject current) =>
                old is not null && Version(current) == Version(old) ? admitted.DeepClone().AsObject() : throw new ChangedSinceReadException();
            JsonObject StillMissing() => old is null ? admitted.DeepClone().AsObject() : throw new ChangedSinceReadException();
            var create = createIfMissing is null ? null : (Func<JsonObject>)StillMissing;
            try
            {
                if (validating)
                {
                    var preview = _store.Patch(stored, ns, name, StillCurrent, statusOnly, options with { DryRun = true }, create);
                    await ValidateAsync(served, old is null ? "CREATE" : "UPDATE", old is null ? null : subresource, preview.Object, old, options, cancellationToken);
                }

                return _store.Patch(stored, ns, name, StillCurrent, statusOnly, options, create);
            }
            catch (ChangedSinceReadException) when (attempt < MaxAttempts)
            {
                // Admit again against what is stored now.
            }
        }
    }

    private async Task<JsonObject> MutateAsync(ResourceType served, string operation, string? subresource, JsonObject obj, JsonObject? old,
        WriteOptions options, CancellationToken cancellationToken)
    {
        var mutated = await _webhooks.MutateAsync(Attributes(served, operation, subresource, obj, old, options), cancellationToken);
        return served.Conversion?.ToStorage(mutated) ?? mutated;
    }

    private Task ValidateAsync(ResourceType served, string operation, string? subresource, JsonObject obj, JsonObject? old, WriteOptions options,
        CancellationToken cancellationToken) =>
        _webhooks.ValidateAsync(Attributes(served, operation, subresource, obj, old, options), cancellationToken);

    /// <summary>The request as webhooks see it: objects in the requested version; options as the operation's *Options kind.</summary>
    private static AdmissionAttributes Attributes(ResourceType served, string operation, string? subresource, JsonObject obj, JsonObject? old, WriteOptions options)
    {
        var requestOptions = new JsonObject
        {
            ["kind"] = operation == "CREATE" ? "CreateOptions" : "UpdateOptions",
            ["apiVersion"] = "meta.k8s.io/v1",
        };
        if (options.DryRun)
        {
            requestOptions["dryRun"] = new JsonArray("All");
        }

        if (options.FieldManager is { } manager)
        {
            requestOptions["fieldManager"] = manager;
        }

        var meta = obj["metadata"];
        var name = meta?["name"]?.GetValue<string>() ?? "";

        // As in the real server, a namespace's own writes carry its name as their namespace.
        var ns = served is { Group: "", Plural: "namespaces" } ? name : meta?["namespace"]?.GetValue<string>();
        return new AdmissionAttributes(operation, served, subresource, ns, name,
            InVersion(served, obj), old is null ? null : InVersion(served, old), options.DryRun, requestOptions);
    }

    private static JsonObject InVersion(ResourceType served, JsonObject stored)
    {
        var copy = served.Conversion?.FromStorage(stored) ?? stored.DeepClone().AsObject();
        copy["apiVersion"] = served.ApiVersion;
        copy["kind"] = served.Kind;
        return copy;
    }

    private static string? Version(JsonObject obj) => obj["metadata"]?["resourceVersion"]?.GetValue<string>();
}
