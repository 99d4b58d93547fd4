using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Resources;
using K8sReplication.TestKit.Kube.Selection;

namespace K8sReplication.TestKit.Kube.Storage;

/// <summary>
/// All stored objects as JSON, keyed by group/resource then namespace/name. One lock serialises every write, the
/// cluster-wide resourceVersion, the bounded event history and the delivery to watchers, so watchers see changes in
/// exactly resourceVersion order. Stored objects are replaced, never mutated, so they can be shared with readers.
/// </summary>
internal sealed partial class ObjectStore
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly int _historyLimit;
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _objects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string StorageKey, string ObjectKey)> _byUid = new(StringComparer.Ordinal);
    private readonly LinkedList<StoredEvent> _history = new();
    private readonly List<StoreWatcher> _watchers = [];
    private long _resourceVersion;
    private long _compactedResourceVersion;

    public ObjectStore(ResourceCatalog catalog, TimeProvider time, int historyLimit)
    {
        Catalog = catalog;
        _time = time;
        _historyLimit = Math.Max(1, historyLimit);
        Bootstrap();
    }

    /// <summary>Raised (outside no lock guarantees) when garbage collection may have work: a removal or new owner references.</summary>
    public event Action? CollectionNeeded;

    public ResourceCatalog Catalog { get; }

    public long CurrentResourceVersion
    {
        get
        {
            lock (_gate)
            {
                return _resourceVersion;
            }
        }
    }

    public JsonObject Get(ResourceType type, string? ns, string name)
    {
        lock (_gate)
        {
            return Find(type, ns, name) ?? throw ApiErrors.NotFound(type, name);
        }
    }

    public ListResult List(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, int limit, string? continueToken)
    {
        lock (_gate)
        {
            var (startAfter, listRv) = DecodeContinue(continueToken);
            var bucket = Bucket(type);
            var items = new List<JsonObject>();
            string? lastKey = null;
            long remaining = 0;
            foreach (var (key, obj) in bucket)
            {
                if (startAfter is not null && string.CompareOrdinal(key, startAfter) <= 0)
                {
                    continue;
                }

                if (ns is not null && !key.StartsWith(ns + "/", StringComparison.Ordinal))
                {
                    continue;
                }

                if (!labels.Matches(obj) || !fields.Matches(obj))
                {
                    continue;
                }

                if (limit > 0 && items.Count >= limit)
                {
                    remaining++;
                    continue;
                }

                items.Add(obj);
                lastKey = key;
            }

            var rv = listRv ?? _resourceVersion;
            string? next = remaining > 0 && lastKey is not null ? EncodeContinue(lastKey, rv) : null;
            return new ListResult(items, rv, next, remaining > 0 ? remaining : null);
        }
    }

    private (string? StartAfter, long? ResourceVersion) DecodeContinue(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return (null, null);
        }

        try
        {
            var json = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)))!;
            var rv = json["rv"]!.GetValue<long>();
            if (rv < _compactedResourceVersion)
            {
                throw ApiErrors.Expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
            }

            return (json["start"]!.GetValue<string>(), rv);
        }
        catch (Exception e) when (e is FormatException or JsonException or NullReferenceException or InvalidOperationException)
        {
            throw ApiErrors.BadRequest($"continue key is not valid: {e.Message}");
        }
    }

    private static string EncodeContinue(string lastKey, long rv) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject { ["rv"] = rv, ["start"] = lastKey }.ToJsonString()));

    private void Bootstrap()
    {
        var namespaces = Catalog.Find("", "v1", "namespaces")!;
        foreach (var name in new[] { "default", "kube-system", "kube-public" })
        {
            var ns = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Namespace",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["labels"] = new JsonObject { ["kubernetes.io/metadata.name"] = name },
                },
                ["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") },
                ["status"] = new JsonObject { ["phase"] = "Active" },
            };
            StampNew(ns);
            Store(namespaces, ns);
        }
    }

    private SortedDictionary<string, JsonObject> Bucket(ResourceType type)
    {
        if (!_objects.TryGetValue(type.StorageKey, out var bucket))
        {
            bucket = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            _objects[type.StorageKey] = bucket;
        }

        return bucket;
    }

    private JsonObject? Find(ResourceType type, string? ns, string name) =>
        Bucket(type).TryGetValue(ObjectKey(ns, name), out var obj) ? obj : null;

    private static string ObjectKey(string? ns, string name) => (ns ?? "") + "/" + name;

    private static string ObjectKey(JsonObject obj) => ObjectKey(Meta(obj)["namespace"]?.GetValue<string>(), Name(obj));

    internal static JsonObject Meta(JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject meta)
        {
            meta = [];
            obj["metadata"] = meta;
        }

        return meta;
    }

    internal static string Name(JsonObject obj) => obj["metadata"]?["name"]?.GetValue<string>() ?? "";

    internal static string Uid(JsonObject obj) => obj["metadata"]?["uid"]?.GetValue<string>() ?? "";

    private string Now() => _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private void StampNew(JsonObject obj)
    {
        var meta = Meta(obj);
        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = Now();
        meta["generation"] = 1L;
        meta.Remove("deletionTimestamp");
        meta.Remove("deletionGracePeriodSeconds");
        meta["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
    }

    private void Store(ResourceType type, JsonObject obj)
    {
        Materialize(obj);
        Bucket(type)[ObjectKey(obj)] = obj;
        _byUid[Uid(obj)] = (type.StorageKey, ObjectKey(obj));
    }

    private void Emit(ResourceType type, string eventType, JsonObject obj, JsonObject? old)
    {
        var change = new StoredEvent(_resourceVersion, type.StorageKey, eventType, obj, old);
        _history.AddLast(change);
        while (_history.Count > _historyLimit)
        {
            _compactedResourceVersion = _history.First!.Value.ResourceVersion;
            _history.RemoveFirst();
        }

        foreach (var watcher in _watchers)
        {
            watcher.Offer(change);
        }
    }

    /// <summary>
    /// Forces every lazily parsed node to build its children now, under the lock: stored objects are then only read,
    /// concurrently, by responses and watch streams.
    /// </summary>
    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    Materialize(child);
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    Materialize(child);
                }

                break;
        }
    }

    private void SignalCollection() => CollectionNeeded?.Invoke();
}
