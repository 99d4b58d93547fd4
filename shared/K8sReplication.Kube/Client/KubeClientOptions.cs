using System.Reflection;

namespace K8sReplication.Kube.Client;

/// <summary>Tunables of <see cref="KubeClient"/>; every one has a named default.</summary>
public sealed record KubeClientOptions
{
    public static string DefaultUserAgent { get; } = "k8srepl/" + AssemblyVersion();

    /// <summary>Whole-call timeout of a non-watch request (headers and body).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Backoff for transient failures (reads; writes only when the server never saw them).</summary>
    public RetryPolicy Retry { get; init; } = new();

    /// <summary>A token file is re-read at least this often (and at once after a 401).</summary>
    public TimeSpan TokenRefreshInterval { get; init; } = TimeSpan.FromMinutes(1);

    public string UserAgent { get; init; } = DefaultUserAgent;

    private static string AssemblyVersion()
    {
        var info = typeof(KubeClientOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(info))
        {
            return "0.0.0";
        }

        var plus = info.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? info : info[..plus];
    }
}
