using System.Globalization;
using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Resources;
using K8sReplication.TestKit.Kube.Selection;

namespace K8sReplication.TestKit.Kube.Storage;

internal sealed partial class ObjectStore
{
    /// <summary>
    /// Opens a watch. Without a resourceVersion (or "0") the current objects arrive first as ADDED; with one, the kept
    /// history after it is replayed. A version older than the kept history is 410 Expired, as on a compacted etcd.
    /// </summary>
    public StoreWatcher Watch(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, string? resourceVersion)
    {
        lock (_gate)
        {
            var fromRv = ParseResourceVersion(resourceVersion);
            var bucket = Bucket(type);
            var watcher = new StoreWatcher(type, ns, labels, fields, bucket.Count + _historyLimit + 1024);
            if (fromRv is null or 0)
            {
                foreach (var obj in bucket.Values)
                {
                    if (watcher.Matches(obj))
                    {
                        watcher.Enqueue(new WatchItem("ADDED", obj));
                    }
                }
            }
            else if (fromRv < _compactedResourceVersion)
            {
                throw ApiErrors.Expired($"too old resource version: {fromRv} ({_compactedResourceVersion + 1})");
            }
            else
            {
                foreach (var change in _history)
                {
                    if (change.ResourceVersion > fromRv)
                    {
                        watcher.Offer(change);
                    }
                }
            }

            _watchers.Add(watcher);
            return watcher;
        }
    }

    public void StopWatch(StoreWatcher watcher)
    {
        lock (_gate)
        {
            _watchers.Remove(watcher);
            watcher.Close();
        }
    }

    /// <summary>Queues a BOOKMARK carrying the current resourceVersion; under the lock, so it never overtakes an event.</summary>
    public void Bookmark(StoreWatcher watcher)
    {
        lock (_gate)
        {
            watcher.Enqueue(new WatchItem("BOOKMARK", new JsonObject
            {
                ["kind"] = watcher.Type.Kind,
                ["apiVersion"] = watcher.Type.ApiVersion,
                ["metadata"] = new JsonObject { ["resourceVersion"] = _resourceVersion.ToString(CultureInfo.InvariantCulture) },
            }));
        }
    }

    public void DropWatches()
    {
        lock (_gate)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Drop();
            }

            _watchers.Clear();
        }
    }

    /// <summary>Forgets all history: a watch or continue from any version older than now gets 410.</summary>
    public void ExpireHistory()
    {
        lock (_gate)
        {
            _history.Clear();
            _compactedResourceVersion = _resourceVersion;
        }
    }

    private static long? ParseResourceVersion(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var rv)
            ? rv
            : throw ApiErrors.BadRequest($"invalid resource version \"{text}\"");
    }
}
