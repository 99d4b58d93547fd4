using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Resources;
using K8sReplication.TestKit.Kube.Selection;
using K8sReplication.TestKit.Kube.Storage;

namespace K8sReplication.TestKit.Kube.Http;

internal sealed partial class ApiRequestHandler
{
    /// <summary>
    /// Streams NDJSON watch events until the client leaves, <c>timeoutSeconds</c> passes (clean end), the listener
    /// stops or a fault drops the watch (connection cut). A too-old resourceVersion yields one ERROR event with 410.
    /// </summary>
    private async Task WatchAsync(HttpContext context, ResourceType type, RequestTarget target)
    {
        var query = context.Request.Query;
        var fieldSelector = query["fieldSelector"].ToString();
        if (target.Name is not null)
        {
            fieldSelector = fieldSelector.Length == 0 ? $"metadata.name={target.Name}" : $"{fieldSelector},metadata.name={target.Name}";
        }

        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldsOf(type, fieldSelector);
        var asTable = TableConverter.Wants(context.Request.Headers.Accept);
        var includeObject = query["includeObject"].ToString();
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";

        StoreWatcher watcher;
        try
        {
            watcher = _store.Watch(StorageOf(type), target.Namespace, labels, fields, query["resourceVersion"]);
        }
        catch (ApiException e) when (e.Code == 410)
        {
            await context.Response.StartAsync(context.RequestAborted);
            await WriteLineAsync(context, new JsonObject { ["type"] = "ERROR", ["object"] = e.ToStatus() });
            return;
        }

        var stopping = Stopping;
        Interlocked.Increment(ref _watchConnections);
        using var timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? new CancellationTokenSource(TimeSpan.FromSeconds(seconds), _time)
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping, timeout.Token);
        var bookmarks = IsTrue(query["allowWatchBookmarks"])
            ? SendBookmarksAsync(watcher, linked.Token)
            : Task.CompletedTask;
        try
        {
            await context.Response.StartAsync(linked.Token);
            await context.Response.Body.FlushAsync(linked.Token);
            var reader = watcher.Reader;
            while (await reader.WaitToReadAsync(linked.Token))
            {
                while (reader.TryRead(out var item))
                {
                    await WriteLineAsync(context, Render(type, item, asTable, includeObject), linked.Token);
                }

                await context.Response.Body.FlushAsync(linked.Token);
            }

            if (watcher.Dropped)
            {
                context.Abort();
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            if (stopping.IsCancellationRequested)
            {
                context.Abort();
            }
        }
        catch (IOException)
        {
            // The client closed the connection mid-write.
        }
        finally
        {
            _store.StopWatch(watcher);
            await linked.CancelAsync();
            await bookmarks;
            Interlocked.Decrement(ref _watchConnections);
        }
    }

    private async Task SendBookmarksAsync(StoreWatcher watcher, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.BookmarkInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                _store.Bookmark(watcher);
            }
        }
        catch (OperationCanceledException)
        {
            // The watch ended.
        }
    }

    private JsonObject Render(ResourceType type, WatchItem item, bool asTable, string includeObject)
    {
        JsonObject obj;
        if (item.Type == "BOOKMARK")
        {
            obj = asTable
                ? new JsonObject
                {
                    ["kind"] = "Table",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = new JsonObject { ["resourceVersion"] = item.Object["metadata"]?["resourceVersion"]?.DeepClone() },
                    ["columnDefinitions"] = new JsonArray(),
                    ["rows"] = new JsonArray(),
                }
                : item.Object.DeepClone().AsObject();
        }
        else if (asTable)
        {
            var meta = new JsonObject { ["resourceVersion"] = item.Object["metadata"]?["resourceVersion"]?.DeepClone() };
            obj = TableConverter.Build(StorageOf(type), [item.Object], meta, includeObject, _time.GetUtcNow());
        }
        else
        {
            obj = ForVersion(type, item.Object);
        }

        return new JsonObject { ["type"] = item.Type, ["object"] = obj };
    }

    private static async Task WriteLineAsync(HttpContext context, JsonObject line, CancellationToken cancellationToken = default)
    {
        var bytes = Encoding.UTF8.GetBytes(line.ToJsonString(Output) + "\n");
        await context.Response.Body.WriteAsync(bytes, cancellationToken);
    }
}
