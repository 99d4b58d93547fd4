using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using K8sReplication.Kube.Models;
using K8sReplication.Kube.Watch;

namespace K8sReplication.Kube.Client;

public sealed partial class KubeClient
{
    /// <summary>
    /// One watch connection (with bookmarks): events after <paramref name="resourceVersion"/> until the server ends
    /// the watch (its timeout) or the caller stops. Disposing the enumerator closes the connection.
    /// </summary>
    /// <exception cref="ResourceExpiredException">The version is too old (HTTP 410 or an ERROR event): relist.</exception>
    /// <exception cref="WatchStalledException">No bytes for the inactivity timeout, or the stream broke mid-event.</exception>
    /// <exception cref="KubeApiException">Connection failures (transient) and other API errors.</exception>
    public async IAsyncEnumerable<WatchEvent<T>> WatchOnceAsync<T>(ResourceType<T> type, string? @namespace, string? resourceVersion,
        WatchOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class, IKubeObject
    {
        ArgumentNullException.ThrowIfNull(type);
        options ??= new WatchOptions();
        var path = new QueryString(CollectionPath(type, @namespace))
            .Add("watch", "true")
            .Add("allowWatchBookmarks", "true")
            .Add("timeoutSeconds", ((long)Math.Max(1, options.ServerTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture))
            .Add("resourceVersion", resourceVersion)
            .Add("labelSelector", options.LabelSelector)
            .Add("fieldSelector", options.FieldSelector)
            .ToString();

        // One timer guards the whole connection: re-armed before every read, it fires only after real silence.
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        var response = await OpenWatchAsync(path, idle, linked.Token, cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var reader = new NdjsonLineReader(stream, options.MaxEventBytes);
                var inactivity = options.InactivityTimeout;
                void Arm() => idle.CancelAfter(inactivity);
                while (true)
                {
                    ReadOnlyMemory<byte>? line;
                    try
                    {
                        line = await reader.ReadLineAsync(Arm, linked.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new WatchStalledException(
                            $"watch {path}: no data for {inactivity.TotalSeconds:0.#}s; connection closed", ex);
                    }
                    catch (InvalidDataException ex)
                    {
                        throw new WatchStalledException($"watch {path}: {ex.Message}", ex);
                    }
                    catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                    {
                        throw new KubeApiException($"watch {path}: connection broke: {ex.Message}", 0, null, ex);
                    }

                    if (line is null)
                    {
                        yield break;
                    }

                    yield return WatchEventParser.Parse(type, line.Value.Span);
                }
            }
        }
        finally
        {
            // Disposing a response whose body was not read to the end aborts the connection instead of pooling it.
            response.Dispose();
        }
    }

    /// <summary>
    /// A watch that survives server timeouts, dropped connections, stalls and server restarts by reconnecting from the
    /// last resourceVersion it saw (events and bookmarks), with jittered backoff after failures. It ends only on
    /// cancellation or a permanent error. Start from the resourceVersion of a list.
    /// </summary>
    /// <exception cref="ResourceExpiredException">History no longer reaches the last version: relist, then watch again.</exception>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(ResourceType<T> type, string? @namespace, string? resourceVersion,
        WatchOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class, IKubeObject
    {
        var current = resourceVersion;
        var failures = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            KubeApiException? failure = null;
            var received = 0;
            var started = _time.GetTimestamp();
            var events = WatchOnceAsync(type, @namespace, current, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    try
                    {
                        if (!await events.MoveNextAsync().ConfigureAwait(false))
                        {
                            break;
                        }
                    }
                    catch (KubeApiException ex) when (ex.IsTransient)
                    {
                        failure = ex;
                        break;
                    }

                    received++;
                    failures = 0;
                    var next = events.Current;
                    if (!string.IsNullOrEmpty(next.ResourceVersion))
                    {
                        current = next.ResourceVersion;
                    }

                    yield return next;
                }
            }
            finally
            {
                await events.DisposeAsync().ConfigureAwait(false);
            }

            // A clean end is the server timeout; reconnect at once unless the server is closing watches immediately.
            var quickEmptyEnd = received == 0 && _time.GetElapsedTime(started) < TimeSpan.FromSeconds(1);
            if (failure is not null || quickEmptyEnd)
            {
                await Task.Delay(_options.Retry.DelayFor(Math.Min(failures++, 10)), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<HttpResponseMessage> OpenWatchAsync(string path, CancellationTokenSource idle, CancellationToken linked,
        CancellationToken cancellationToken)
    {
        var refreshedToken = false;
        while (true)
        {
            idle.CancelAfter(_options.RequestTimeout);
            using var request = await CreateRequestAsync(HttpMethod.Get, path, null, null, cancellationToken).ConfigureAwait(false);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new WatchStalledException($"watch {path}: no response within {_options.RequestTimeout.TotalSeconds:0.#}s", ex);
            }
            catch (HttpRequestException ex)
            {
                throw ConnectionFailure(HttpMethod.Get, path, ex);
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                byte[] body;
                try
                {
                    body = await response.Content.ReadAsByteArrayAsync(linked).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException
                                           && !cancellationToken.IsCancellationRequested)
                {
                    body = [];
                }

                if (response.StatusCode == HttpStatusCode.Unauthorized && _tokens.CanRefresh && !refreshedToken)
                {
                    refreshedToken = true;
                    _tokens.Invalidate();
                    continue;
                }

                throw ErrorFrom(HttpMethod.Get, path, response.StatusCode, body);
            }
        }
    }
}
