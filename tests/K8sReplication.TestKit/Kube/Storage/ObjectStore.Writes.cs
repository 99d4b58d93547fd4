using System.Globalization;
using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Schema;

namespace K8sReplication.TestKit.Kube.Storage;

internal sealed partial class ObjectStore
{
    private const string ForegroundFinalizer = "foregroundDeletion";

    public WriteResult Create(Resources.ResourceType type, string? ns, JsonObject body, WriteOptions options)
    {
        lock (_gate)
        {
            return CreateLocked(type, ns, body, options, "Update");
        }
    }

    /// <summary>
    /// What a create will store, as admission webhooks see it before the write: apiVersion, kind and the request's
    /// namespace filled in; a missing or terminating namespace fails here, before any webhook is called.
    /// </summary>
    public JsonObject PrepareCreate(Resources.ResourceType type, string? ns, JsonObject body)
    {
        lock (_gate)
        {
            var obj = body.DeepClone().AsObject();
            obj["apiVersion"] = type.ApiVersion;
            obj["kind"] = type.Kind;
            ResolveNamespace(type, ns, Meta(obj));
            return obj;
        }
    }

    public JsonObject? TryGet(Resources.ResourceType type, string? ns, string name)
    {
        lock (_gate)
        {
            return Find(type, ns, name);
        }
    }

    /// <summary>
    /// PUT: replaces the object; a stale metadata.resourceVersion is a 409 Conflict. With <paramref name="readVersion"/>
    /// (the version admission webhooks were shown) a newer stored version throws <see cref="ChangedSinceReadException"/>
    /// so the caller admits the write again against it, as the real server's update retries do.
    /// </summary>
    public WriteResult Update(Resources.ResourceType type, string? ns, string name, JsonObject body, bool statusOnly, WriteOptions options, string? readVersion = null)
    {
        lock (_gate)
        {
            var old = Find(type, ns, name) ?? throw ApiErrors.NotFound(type, name);
            var bodyName = Name(body);
            if (bodyName.Length > 0 && bodyName != name)
            {
                throw ApiErrors.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
            }

            var rv = body["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "";
            if (rv.Length == 0 && type.IsCustom)
            {
                throw ApiErrors.Invalid(type, name, [FieldError.Invalid("metadata.resourceVersion", "0x0", "must be specified for an update")]);
            }

            if (rv.Length > 0 && rv != Meta(old)["resourceVersion"]?.GetValue<string>())
            {
                throw ApiErrors.Conflict(type, name);
            }

            if (readVersion is not null && readVersion != Meta(old)["resourceVersion"]?.GetValue<string>())
            {
                throw new ChangedSinceReadException();
            }

            return CommitUpdate(type, old, body.DeepClone().AsObject(), statusOnly, options, "Update");
        }
    }

    /// <summary>PATCH: <paramref name="patch"/> maps the current object to the desired one; apply patches create when missing.</summary>
    public WriteResult Patch(Resources.ResourceType type, string? ns, string name, Func<JsonObject, JsonObject> patch, bool statusOnly,
        WriteOptions options, Func<JsonObject>? createIfMissing = null)
    {
        lock (_gate)
        {
            var old = Find(type, ns, name);
            if (old is null)
            {
                if (createIfMissing is null || statusOnly)
                {
                    throw ApiErrors.NotFound(type, name);
                }

                var created = createIfMissing();
                Meta(created)["name"] = name;
                return CreateLocked(type, ns, created, options, "Apply");
            }

            var candidate = patch(old.DeepClone().AsObject());
            var rv = candidate["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "";
            if (rv.Length > 0 && rv != Meta(old)["resourceVersion"]?.GetValue<string>())
            {
                throw ApiErrors.Conflict(type, name);
            }

            return CommitUpdate(type, old, candidate, statusOnly, options, createIfMissing is null ? "Update" : "Apply");
        }
    }

    public WriteResult Delete(Resources.ResourceType type, string? ns, string name, DeleteOptions options)
    {
        lock (_gate)
        {
            var obj = Find(type, ns, name) ?? throw ApiErrors.NotFound(type, name);
            return DeleteLocked(type, obj, options);
        }
    }

    public IReadOnlyList<JsonObject> DeleteCollection(Resources.ResourceType type, string? ns, Selection.LabelSelector labels, Selection.FieldSelector fields, DeleteOptions options)
    {
        lock (_gate)
        {
            var result = new List<JsonObject>();
            foreach (var obj in List(type, ns, labels, fields, 0, null).Items)
            {
                result.Add(DeleteLocked(type, obj, options).Object);
            }

            return result;
        }
    }

    private WriteResult CreateLocked(Resources.ResourceType type, string? ns, JsonObject body, WriteOptions options, string operation)
    {
        var obj = body.DeepClone().AsObject();
        obj["apiVersion"] = type.ApiVersion;
        obj["kind"] = type.Kind;
        var meta = Meta(obj);
        ResolveNamespace(type, ns, meta);
        var name = meta["name"]?.GetValue<string>() ?? "";
        if (name.Length == 0 && meta["generateName"]?.GetValue<string>() is { Length: > 0 } prefix)
        {
            name = prefix + RandomSuffix();
            meta["name"] = name;
        }

        if (name.Length == 0)
        {
            throw ApiErrors.Invalid(type, "", [FieldError.Required("metadata.name", "name or generateName is required")]);
        }

        var nsName = meta["namespace"]?.GetValue<string>();
        if (Find(type, nsName, name) is not null)
        {
            throw ApiErrors.AlreadyExists(type, name);
        }

        if (type.HasStatus)
        {
            obj.Remove("status");
        }

        meta.Remove("resourceVersion");
        meta.Remove("managedFields");
        InitialiseBuiltIn(type, obj);
        var warnings = Admit(type, obj, options);
        RecordManager(obj, type, options, operation);
        if (options.DryRun)
        {
            var preview = obj.DeepClone().AsObject();
            Meta(preview)["uid"] = Guid.NewGuid().ToString();
            Meta(preview)["creationTimestamp"] = Now();
            Meta(preview)["generation"] = 1L;
            return new WriteResult(preview, true, false, warnings);
        }

        StampNew(obj);
        Store(type, obj);
        Emit(type, "ADDED", obj, null);
        if (IsCrd(type))
        {
            Catalog.RegisterCrd(obj);
        }

        if (meta["ownerReferences"] is JsonArray { Count: > 0 })
        {
            SignalCollection();
        }

        return new WriteResult(obj, true, false, warnings);
    }

    private WriteResult CommitUpdate(Resources.ResourceType type, JsonObject old, JsonObject candidate, bool statusOnly, WriteOptions options, string operation)
    {
        candidate["apiVersion"] = type.ApiVersion;
        candidate["kind"] = type.Kind;
        if (statusOnly && type.HasStatus)
        {
            var next = old.DeepClone().AsObject();
            SetOrRemove(next, "status", candidate["status"]);
            Meta(next)["resourceVersion"] = Meta(candidate)["resourceVersion"]?.DeepClone();
            candidate = next;
        }
        else if (type.HasStatus)
        {
            SetOrRemove(candidate, "status", old["status"]);
        }

        var meta = Meta(candidate);
        var oldMeta = Meta(old);
        foreach (var key in new[] { "name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation" })
        {
            SetOrRemove(meta, key, oldMeta[key]);
        }

        if (oldMeta["deletionTimestamp"] is not null)
        {
            var before = Finalizers(old);
            var added = Finalizers(candidate).Where(f => !before.Contains(f)).ToList();
            if (added.Count > 0)
            {
                throw ApiErrors.Invalid(type, Name(old), [FieldError.Forbidden("metadata.finalizers",
                    $"no new finalizers can be added if the object is being deleted, found new finalizers []string{{{string.Join(", ", added.Select(a => "\"" + a + "\""))}}}")]);
            }
        }

        var warnings = Admit(type, candidate, options, old);
        if (!SameSpec(type, old, candidate))
        {
            meta["generation"] = (oldMeta["generation"]?.GetValue<long>() ?? 1) + 1;
        }

        meta["resourceVersion"] = oldMeta["resourceVersion"]?.DeepClone();
        RecordManager(candidate, type, options, operation);
        if (SameIgnoringManagers(old, candidate) || options.DryRun)
        {
            return new WriteResult(options.DryRun ? candidate : old, false, false, warnings);
        }

        meta["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        Store(type, candidate);
        Emit(type, "MODIFIED", candidate, old);
        if (IsCrd(type))
        {
            Catalog.RegisterCrd(candidate);
        }

        if (meta["deletionTimestamp"] is not null && Finalizers(candidate).Count == 0 && !IsNamespace(type))
        {
            return new WriteResult(RemoveLocked(type, candidate), false, true, warnings);
        }

        if (meta["ownerReferences"] is JsonArray { Count: > 0 } || meta["deletionTimestamp"] is not null)
        {
            SignalCollection();
        }

        return new WriteResult(candidate, false, false, warnings);
    }

    private WriteResult DeleteLocked(Resources.ResourceType type, JsonObject obj, DeleteOptions options)
    {
        var meta = Meta(obj);
        var name = Name(obj);
        if (options.PreconditionUid is { Length: > 0 } uid && uid != Uid(obj))
        {
            throw ApiErrors.PreconditionFailed(type, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {Uid(obj)}");
        }

        if (options.PreconditionResourceVersion is { Length: > 0 } rv && rv != meta["resourceVersion"]?.GetValue<string>())
        {
            throw ApiErrors.PreconditionFailed(type, name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {meta["resourceVersion"]}");
        }

        if (options.DryRun)
        {
            return new WriteResult(obj, false, false, []);
        }

        if (options.PropagationPolicy == "Orphan")
        {
            OrphanDependents(Uid(obj));
        }

        var finalizers = Finalizers(obj);
        if (options.PropagationPolicy == "Foreground" && !finalizers.Contains(ForegroundFinalizer) && meta["deletionTimestamp"] is null)
        {
            finalizers.Add(ForegroundFinalizer);
        }

        if (finalizers.Count == 0 && !IsNamespace(type))
        {
            return new WriteResult(RemoveLocked(type, obj), false, true, []);
        }

        if (meta["deletionTimestamp"] is not null)
        {
            return new WriteResult(obj, false, false, []);
        }

        var next = obj.DeepClone().AsObject();
        var nextMeta = Meta(next);
        nextMeta["deletionTimestamp"] = Now();
        nextMeta["deletionGracePeriodSeconds"] = 0;
        nextMeta["generation"] = (nextMeta["generation"]?.GetValue<long>() ?? 1) + 1;
        if (finalizers.Count > 0)
        {
            nextMeta["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode)f)]);
        }

        if (IsNamespace(type))
        {
            next["status"] = new JsonObject { ["phase"] = "Terminating" };
        }

        nextMeta["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        Store(type, next);
        Emit(type, "MODIFIED", next, obj);
        SignalCollection();
        return new WriteResult(next, false, false, []);
    }

    /// <summary>Removes an object for good: a DELETED event at a new resourceVersion; a CRD takes its custom resources with it.</summary>
    private JsonObject RemoveLocked(Resources.ResourceType type, JsonObject obj)
    {
        var gone = obj.DeepClone().AsObject();
        Meta(gone)["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        Bucket(type).Remove(ObjectKey(obj));
        _byUid.Remove(Uid(obj));
        Emit(type, "DELETED", gone, null);
        if (IsCrd(type))
        {
            foreach (var served in Catalog.Snapshot().Where(t => t.IsCustom && $"{t.Plural}.{t.Group}" == Name(obj)).Take(1))
            {
                foreach (var child in Bucket(served).Values.ToList())
                {
                    RemoveLocked(served, child);
                }
            }

            Catalog.UnregisterCrd(Name(obj));
        }

        SignalCollection();
        return gone;
    }

    private void OrphanDependents(string ownerUid)
    {
        foreach (var (storageKey, bucket) in _objects.ToList())
        {
            var type = Catalog.FindByStorageKey(storageKey);
            if (type is null)
            {
                continue;
            }

            foreach (var dependent in bucket.Values.ToList())
            {
                if (Meta(dependent)["ownerReferences"] is not JsonArray refs || !refs.Any(r => r?["uid"]?.GetValue<string>() == ownerUid))
                {
                    continue;
                }

                var next = dependent.DeepClone().AsObject();
                var kept = new JsonArray([.. refs.Where(r => r?["uid"]?.GetValue<string>() != ownerUid).Select(r => r!.DeepClone())]);
                SetOrRemove(Meta(next), "ownerReferences", kept.Count == 0 ? null : kept);
                Meta(next)["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
                Store(type, next);
                Emit(type, "MODIFIED", next, dependent);
            }
        }
    }

    private static void SetOrRemove(JsonObject target, string key, JsonNode? value)
    {
        if (value is null)
        {
            target.Remove(key);
        }
        else
        {
            target[key] = value.DeepClone();
        }
    }

    internal static List<string> Finalizers(JsonObject obj) =>
        obj["metadata"]?["finalizers"] is JsonArray array ? [.. array.Select(f => f?.GetValue<string>() ?? "")] : [];

    private static bool IsCrd(Resources.ResourceType type) => type.StorageKey == "apiextensions.k8s.io/customresourcedefinitions";

    private static bool IsNamespace(Resources.ResourceType type) => type.StorageKey == "/namespaces";

    private static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(5, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[Random.Shared.Next(alphabet.Length)];
            }
        });
    }
}
