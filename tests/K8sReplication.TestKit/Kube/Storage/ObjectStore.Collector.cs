using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Resources;

namespace K8sReplication.TestKit.Kube.Storage;

internal sealed partial class ObjectStore
{
    /// <summary>
    /// One garbage-collection pass, as the controller-manager would do in the background: dependents whose owners are
    /// all gone are deleted; dangling owner references are dropped when other owners remain; objects in foreground
    /// deletion lose their finalizer once no dependents are left; terminating namespaces are emptied then removed.
    /// Returns true when it changed something (the caller repeats until quiet).
    /// </summary>
    public bool CollectGarbage()
    {
        lock (_gate)
        {
            var changed = false;
            foreach (var (storageKey, bucket) in _objects.ToList())
            {
                var type = Catalog.FindByStorageKey(storageKey);
                if (type is null)
                {
                    continue;
                }

                foreach (var obj in bucket.Values.ToList())
                {
                    changed |= CollectOwned(type, obj);
                    changed |= FinishForeground(type, obj);
                }
            }

            changed |= FinishNamespaces();
            return changed;
        }
    }

    private bool CollectOwned(ResourceType type, JsonObject obj)
    {
        if (Meta(obj)["ownerReferences"] is not JsonArray { Count: > 0 } refs || Find(type, Meta(obj)["namespace"]?.GetValue<string>(), Name(obj)) != obj)
        {
            return false;
        }

        // Like the real collector, an owner whose kind cannot be resolved is never treated as gone.
        var known = Catalog.Snapshot();
        var present = refs.Where(r => _byUid.ContainsKey(r?["uid"]?.GetValue<string>() ?? "") || !IsKnownKind(known, r)).ToList();
        if (present.Count == refs.Count)
        {
            return false;
        }

        if (present.Count == 0)
        {
            if (Meta(obj)["deletionTimestamp"] is not null)
            {
                return false;
            }

            DeleteLocked(type, obj, new DeleteOptions("Background", null, null, false));
            return true;
        }

        var next = obj.DeepClone().AsObject();
        Meta(next)["ownerReferences"] = new JsonArray([.. present.Select(r => r!.DeepClone())]);
        CommitUpdate(type, obj, next, false, WriteOptions.Default, "Update");
        return true;
    }

    private bool FinishForeground(ResourceType type, JsonObject obj)
    {
        var current = Find(type, Meta(obj)["namespace"]?.GetValue<string>(), Name(obj));
        if (current is null || Meta(current)["deletionTimestamp"] is null || !Finalizers(current).Contains(ForegroundFinalizer))
        {
            return false;
        }

        var uid = Uid(current);
        var dependents = new List<(ResourceType, JsonObject)>();
        foreach (var (storageKey, bucket) in _objects)
        {
            var dependentType = Catalog.FindByStorageKey(storageKey);
            foreach (var candidate in bucket.Values)
            {
                if (dependentType is not null && Meta(candidate)["ownerReferences"] is JsonArray refs && refs.Any(r => r?["uid"]?.GetValue<string>() == uid))
                {
                    dependents.Add((dependentType, candidate));
                }
            }
        }

        if (dependents.Count > 0)
        {
            var changed = false;
            foreach (var (dependentType, dependent) in dependents.Where(d => Meta(d.Item2)["deletionTimestamp"] is null))
            {
                DeleteLocked(dependentType, dependent, new DeleteOptions("Foreground", null, null, false));
                changed = true;
            }

            return changed;
        }

        var next = current.DeepClone().AsObject();
        Meta(next)["finalizers"] = new JsonArray([.. Finalizers(current).Where(f => f != ForegroundFinalizer).Select(f => (JsonNode)f)]);
        CommitUpdate(type, current, next, false, WriteOptions.Default, "Update");
        return true;
    }

    private bool FinishNamespaces()
    {
        var namespaces = Catalog.Find("", "v1", "namespaces")!;
        var changed = false;
        foreach (var ns in Bucket(namespaces).Values.ToList())
        {
            if (Meta(ns)["deletionTimestamp"] is null)
            {
                continue;
            }

            var name = Name(ns);
            var remaining = 0;
            foreach (var (storageKey, bucket) in _objects.ToList())
            {
                var type = Catalog.FindByStorageKey(storageKey);
                if (type is null || !type.Namespaced)
                {
                    continue;
                }

                foreach (var obj in bucket.Values.Where(o => Meta(o)["namespace"]?.GetValue<string>() == name).ToList())
                {
                    remaining++;
                    if (Meta(obj)["deletionTimestamp"] is null)
                    {
                        DeleteLocked(type, obj, new DeleteOptions("Background", null, null, false));
                        changed = true;
                    }
                }
            }

            if (remaining == 0)
            {
                RemoveLocked(namespaces, ns);
                changed = true;
            }
        }

        return changed;
    }

    private static bool IsKnownKind(IReadOnlyList<ResourceType> known, JsonNode? ownerRef)
    {
        var apiVersion = ownerRef?["apiVersion"]?.GetValue<string>();
        var kind = ownerRef?["kind"]?.GetValue<string>();
        return known.Any(t => t.ApiVersion == apiVersion && t.Kind == kind);
    }
}
