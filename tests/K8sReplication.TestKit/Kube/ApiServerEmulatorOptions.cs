using System.Collections.Concurrent;
using System.Net;

namespace K8sReplication.TestKit.Kube;

/// <summary>Settings of an <see cref="ApiServerEmulator"/>.</summary>
public sealed class ApiServerEmulatorOptions
{
    /// <summary>Port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Events kept for watch resume; a watch from an older resourceVersion gets 410 Expired.</summary>
    public int HistoryLimit { get; set; } = 1000;

    /// <summary>How often a watch that asked for bookmarks gets one.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Clock for timestamps, ages, bookmarks and watch timeouts.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// Where admission webhook calls to a Service go: the emulator has no cluster network, so a webhook whose
    /// <c>clientConfig.service</c> names a Service is dialled at the endpoint mapped here under
    /// <see cref="ServiceKey"/>(namespace, name, port), port being the clientConfig's (443 when omitted). TLS is still
    /// verified as the real server does, for the name <c>name.namespace.svc</c>. Read at every call, so entries may be
    /// added after the emulator started; a Service with no entry fails like one with no endpoints.
    /// </summary>
    public ConcurrentDictionary<string, DnsEndPoint> ServiceEndpoints { get; } = new(StringComparer.Ordinal);

    /// <summary>The <see cref="ServiceEndpoints"/> key of a Service port: <c>namespace/name:port</c>.</summary>
    public static string ServiceKey(string @namespace, string name, int port = 443) => $"{@namespace}/{name}:{port}";
}
