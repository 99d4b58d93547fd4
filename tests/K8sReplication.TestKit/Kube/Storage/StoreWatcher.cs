using System.Text.Json.Nodes;
using System.Threading.Channels;
using K8sReplication.TestKit.Kube.Resources;
using K8sReplication.TestKit.Kube.Selection;

namespace K8sReplication.TestKit.Kube.Storage;

/// <summary>
/// One open watch: a filter plus a bounded queue the store fills under its lock, so events (and bookmarks) arrive
/// in resourceVersion order. A watcher that falls too far behind is closed, as the real server closes slow watchers.
/// </summary>
internal sealed class StoreWatcher
{
    private readonly Channel<WatchItem> _queue;

    public StoreWatcher(ResourceType type, string? @namespace, LabelSelector labels, FieldSelector fields, int capacity)
    {
        Type = type;
        Namespace = @namespace;
        Labels = labels;
        Fields = fields;
        _queue = Channel.CreateBounded<WatchItem>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    public ResourceType Type { get; }

    public string? Namespace { get; }

    public LabelSelector Labels { get; }

    public FieldSelector Fields { get; }

    public ChannelReader<WatchItem> Reader => _queue.Reader;

    /// <summary>Set when a fault injection dropped this watch: the stream is cut without a clean end.</summary>
    public bool Dropped { get; private set; }

    public bool Matches(JsonObject obj)
    {
        if (Namespace is not null && (obj["metadata"]?["namespace"]?.GetValue<string>() ?? "") != Namespace)
        {
            return false;
        }

        return Labels.Matches(obj) && Fields.Matches(obj);
    }

    /// <summary>Translates a committed change into what this watcher sees (objects entering/leaving the filter become ADDED/DELETED).</summary>
    public void Offer(StoredEvent change)
    {
        if (change.StorageKey != Type.StorageKey)
        {
            return;
        }

        var nowMatches = Matches(change.Object);
        var type = change.Type switch
        {
            "ADDED" => nowMatches ? "ADDED" : null,
            "DELETED" => nowMatches ? "DELETED" : null,
            _ => (change.OldObject is not null && Matches(change.OldObject), nowMatches) switch
            {
                (true, true) => "MODIFIED",
                (false, true) => "ADDED",
                (true, false) => "DELETED",
                _ => null,
            },
        };
        if (type is not null)
        {
            Enqueue(new WatchItem(type, change.Object));
        }
    }

    public void Enqueue(WatchItem item)
    {
        if (!_queue.Writer.TryWrite(item))
        {
            _queue.Writer.TryComplete();
        }
    }

    public void Close() => _queue.Writer.TryComplete();

    public void Drop()
    {
        Dropped = true;
        _queue.Writer.TryComplete();
    }
}
