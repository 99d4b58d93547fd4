using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using k8s.Models;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Resources;

namespace K8sReplication.Kube.Watch;

/// <summary>
/// Watches over the official client's connection (its HTTP pipeline and credentials, so exec plugins, token files and
/// client certificates apply) with our own stream handling: the client's bare watch reports a 410 ERROR event to a
/// callback and keeps reading, has no inactivity deadline and leaves reads pending on cancellation, so we read the
/// NDJSON stream ourselves.
/// </summary>
public static class KubeWatch
{
    /// <summary>
    /// One watch connection (with bookmarks): events after <paramref name="resourceVersion"/> until the server ends
    /// the watch (its timeout) or the caller stops. Disposing the enumerator closes the connection. A null
    /// <paramref name="namespace"/> watches across namespaces.
    /// </summary>
    /// <exception cref="ResourceExpiredException">The version is too old (HTTP 410 or an ERROR event): relist.</exception>
    /// <exception cref="WatchStalledException">No bytes for the inactivity timeout, or the stream broke mid-event.</exception>
    /// <exception cref="KubeApiException">Connection failures (transient) and other API errors.</exception>
    public static async IAsyncEnumerable<WatchEvent<T>> WatchOnceAsync<T>(this KubeConnection connection, KubeResource<T> resource,
        string? @namespace, string? resourceVersion, WatchOptions? options = null, TimeProvider? time = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class, k8s.IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(resource);
        options ??= new WatchOptions();
        time ??= TimeProvider.System;
        var path = Query(resource.CollectionPath(@namespace),
            ("watch", "true"),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", ((long)Math.Max(1, options.ServerTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture)),
            ("resourceVersion", resourceVersion),
            ("labelSelector", options.LabelSelector),
            ("fieldSelector", options.FieldSelector));

        // One timer guards the whole connection: re-armed before every read, it fires only after real silence.
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, idle.Token);
        var response = await OpenAsync(connection, path, options, idle, linked.Token, cancellationToken).ConfigureAwait(false);
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
                        throw new WatchStalledException($"watch {path}: no data for {inactivity.TotalSeconds:0.#}s; connection closed", ex);
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

                    yield return WatchEventParser.Parse(resource, line.Value.Span);
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
    public static async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(this KubeConnection connection, KubeResource<T> resource,
        string? @namespace, string? resourceVersion, WatchOptions? options = null, TimeProvider? time = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class, k8s.IKubernetesObject<V1ObjectMeta>
    {
        options ??= new WatchOptions();
        time ??= TimeProvider.System;
        var current = resourceVersion;
        var failures = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            KubeApiException? failure = null;
            var received = 0;
            var started = time.GetTimestamp();
            var events = connection.WatchOnceAsync(resource, @namespace, current, options, time, cancellationToken).GetAsyncEnumerator(cancellationToken);
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
            var quickEmptyEnd = received == 0 && time.GetElapsedTime(started) < TimeSpan.FromSeconds(1);
            if (failure is not null || quickEmptyEnd)
            {
                await Task.Delay(options.Retry.DelayFor(Math.Min(failures++, 10)), time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<HttpResponseMessage> OpenAsync(KubeConnection connection, string path, WatchOptions options,
        CancellationTokenSource idle, CancellationToken linked, CancellationToken cancellationToken)
    {
        var client = connection.Client;
        idle.CancelAfter(options.OpenTimeout);
        var baseUri = new Uri(client.BaseUri.ToString().TrimEnd('/') + "/");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, path));
        if (!string.IsNullOrWhiteSpace(connection.Config.TlsServerName))
        {
            request.Headers.Host = connection.Config.TlsServerName;
        }

        HttpResponseMessage response;
        try
        {
            if (client.Credentials is { } credentials)
            {
                await credentials.ProcessHttpRequestAsync(request, linked).ConfigureAwait(false);
            }

            response = await client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WatchStalledException($"watch {path}: no response within {options.OpenTimeout.TotalSeconds:0.#}s", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new KubeApiException($"watch {path}: cannot reach the API server at {client.BaseUri} ({ex.Message})", 0, null, ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            string body;
            try
            {
                body = await response.Content.ReadAsStringAsync(linked).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                body = "";
            }

            var status = KubeApiErrors.ParseStatus(body);
            var code = (int)response.StatusCode;
            var message = $"watch {path}: {code} {status?.Reason ?? response.StatusCode.ToString()}"
                + (string.IsNullOrEmpty(status?.Message) ? "" : ": " + status.Message);
            throw response.StatusCode == HttpStatusCode.Gone ? new ResourceExpiredException(message, status) : new KubeApiException(message, code, status);
        }
    }

    private static string Query(string path, params (string Name, string? Value)[] parameters)
    {
        var sb = new StringBuilder(path);
        var first = true;
        foreach (var (name, value) in parameters)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            sb.Append(first ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            first = false;
        }

        return sb.ToString();
    }
}
