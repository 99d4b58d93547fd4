using System.Reflection;

namespace K8sReplication.Kube.Client;

/// <summary>Tunables of a <see cref="KubeConnection"/>; every one has a named default.</summary>
public sealed record KubeConnectionOptions
{
    public static string DefaultUserAgent { get; } = "k8srepl/" + AssemblyVersion();

    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Whole-call timeout of a non-watch request.</summary>
    public TimeSpan RequestTimeout { get; init; } = DefaultRequestTimeout;

    /// <summary>Backoff for transient failures (reads; writes only when the server never saw them).</summary>
    public RetryPolicy Retry { get; init; } = new();

    public string UserAgent { get; init; } = DefaultUserAgent;

    private static string AssemblyVersion()
    {
        var info = typeof(KubeConnectionOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(info))
        {
            return "0.0.0";
        }

        var plus = info.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? info : info[..plus];
    }
}
