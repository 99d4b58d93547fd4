using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using K8sReplication.Kube.Client;

namespace K8sReplication.Kube.Events;

/// <summary>
/// Writes events.k8s.io/v1 Events about an object. A repeat of the same (object, type, reason, action, note) within
/// the series window updates the existing Event's <c>series</c> (count, lastObservedTime) instead of creating another,
/// like the real recorder; each object has a token-bucket rate limit so a hot loop cannot flood the API. Recording is
/// best effort: failures are reported in the result, never thrown.
/// </summary>
public sealed class EventRecorder
{
    public const string Normal = "Normal";
    public const string Warning = "Warning";

    private readonly IKubernetes _client;
    private readonly EventRecorderOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<EventKey, SeriesEntry> _series = [];
    private readonly Dictionary<string, TokenBucket> _limits = new(StringComparer.Ordinal);
    private int _sequence;

    public EventRecorder(IKubernetes client, EventRecorderOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>A reference to <paramref name="obj"/> for <c>regarding</c>.</summary>
    public static V1ObjectReference ReferenceTo(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return new V1ObjectReference
        {
            ApiVersion = obj.ApiVersion,
            Kind = obj.Kind,
            Name = obj.Metadata.Name,
            NamespaceProperty = obj.Metadata.NamespaceProperty,
            Uid = obj.Metadata.Uid,
            ResourceVersion = obj.Metadata.ResourceVersion,
        };
    }

    /// <param name="regarding">The object the event is about.</param>
    /// <param name="type"><see cref="Normal"/> or <see cref="Warning"/>.</param>
    /// <param name="reason">UpperCamelCase reason, e.g. MemberJoined.</param>
    /// <param name="action">What the controller did, e.g. Reconcile.</param>
    /// <param name="note">Human-readable detail.</param>
    /// <param name="cancellationToken">Cancels the API call.</param>
    public async Task<EventRecordResult> RecordAsync(V1ObjectReference regarding, string type, string reason, string action, string note,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(regarding);
        ArgumentException.ThrowIfNullOrEmpty(regarding.Name);
        var key = new EventKey(regarding.NamespaceProperty, regarding.Kind, regarding.Name, regarding.Uid, type, reason, action, note);
        SeriesEntry? existing;
        int count;
        lock (_gate)
        {
            if (!Limit(regarding).TryTake())
            {
                return EventRecordResult.RateLimited;
            }

            existing = _series.GetValueOrDefault(key);
            if (existing is not null && _time.GetElapsedTime(existing.LastSeen) >= _options.SeriesWindow)
            {
                existing = null;
            }

            count = existing is null ? 1 : existing.Count + 1;
        }

        try
        {
            if (existing is not null && await TryBumpSeriesAsync(existing, count, cancellationToken).ConfigureAwait(false))
            {
                return EventRecordResult.SeriesUpdated;
            }

            var created = await CreateAsync(regarding, type, reason, action, note, cancellationToken).ConfigureAwait(false);
            Remember(key, new SeriesEntry
            {
                Name = created.Metadata.Name!,
                Namespace = created.Metadata.NamespaceProperty!,
                Count = 1,
                LastSeen = _time.GetTimestamp(),
            });
            return EventRecordResult.Created;
        }
        catch (Exception ex) when (ex is HttpOperationException or HttpRequestException or KubeApiException)
        {
            return EventRecordResult.Failed;
        }
    }

    private async Task<bool> TryBumpSeriesAsync(SeriesEntry entry, int count, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var patch = new JsonObject
        {
            ["series"] = new JsonObject
            {
                ["count"] = count,
                ["lastObservedTime"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            },
        };
        try
        {
            await _client.EventsV1.PatchNamespacedEventAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), entry.Name,
                entry.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.IsNotFound())
        {
            return false; // the event expired or was deleted: start a new one
        }

        lock (_gate)
        {
            entry.Count = Math.Max(entry.Count, count);
            entry.LastSeen = _time.GetTimestamp();
        }

        return true;
    }

    private Task<Eventsv1Event> CreateAsync(V1ObjectReference regarding, string type, string reason, string action, string note,
        CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var ns = string.IsNullOrEmpty(regarding.NamespaceProperty) ? "default" : regarding.NamespaceProperty;
        var nanos = (now - DateTimeOffset.UnixEpoch).Ticks * 100;
        var sequence = Interlocked.Increment(ref _sequence) & 0xffff;
        var prefix = regarding.Name!.Length > 200 ? regarding.Name[..200] : regarding.Name;
        var ev = new Eventsv1Event
        {
            Metadata = new V1ObjectMeta
            {
                // Like the real recorder (object name, creation time in hex nanoseconds) plus a sequence number, so
                // two events in the same clock tick never collide.
                Name = prefix + "." + nanos.ToString("x", CultureInfo.InvariantCulture)
                    + sequence.ToString("x4", CultureInfo.InvariantCulture),
                NamespaceProperty = ns,
            },
            EventTime = now.UtcDateTime,
            ReportingController = _options.ReportingController,
            ReportingInstance = _options.ReportingInstance,
            Action = action,
            Reason = reason,
            Regarding = regarding,
            Note = note.Length > 1024 ? note[..1024] : note,
            Type = type,
        };
        return _client.EventsV1.CreateNamespacedEventAsync(ev, ns, cancellationToken: cancellationToken);
    }

    private TokenBucket Limit(V1ObjectReference regarding)
    {
        var id = regarding.Uid ?? regarding.NamespaceProperty + "/" + regarding.Kind + "/" + regarding.Name;
        if (!_limits.TryGetValue(id, out var bucket))
        {
            if (_limits.Count >= _options.MaxCachedEvents)
            {
                _limits.Clear();
            }

            _limits[id] = bucket = new TokenBucket(_options.Burst, _options.RefillInterval, _time);
        }

        return bucket;
    }

    private void Remember(EventKey key, SeriesEntry entry)
    {
        lock (_gate)
        {
            if (_series.Count >= _options.MaxCachedEvents)
            {
                foreach (var old in _series.OrderBy(p => p.Value.LastSeen).Take(_series.Count / 2).Select(p => p.Key).ToList())
                {
                    _series.Remove(old);
                }
            }

            _series[key] = entry;
        }
    }
}
