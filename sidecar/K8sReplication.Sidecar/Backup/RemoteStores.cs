using K8sReplication.Contracts.Config;
using K8sReplication.Sidecar.Configuration;

namespace K8sReplication.Sidecar.Backup;

/// <summary>Parses a backup URL (<c>file:///abs/path</c>, <c>s3://bucket[/prefix]</c>) and opens the store behind it.</summary>
internal static class RemoteStores
{
    /// <summary>The configuration key of the store's URL, named in every message about it.</summary>
    public const string UrlKey = "backup.url";

    /// <summary>The configuration key of the S3 endpoint override.</summary>
    public const string EndpointKey = "backup.endpoint";

    /// <summary>
    /// Opens the store at <paramref name="url"/>. <paramref name="endpoint"/> overrides the S3 endpoint (an S3-compatible
    /// store; path-style addressing). Without static <paramref name="credentials"/> the AWS SDK's default chain is
    /// used (environment, web identity, instance profile). Opening does no I/O; an invalid URL or endpoint throws
    /// <see cref="ArgumentException"/> naming its configuration key.
    /// </summary>
    public static IRemoteStore Open(string url, string? endpoint, BackupCredentials? credentials)
    {
        if (CheckUrl(url) is { } urlProblem)
        {
            throw new ArgumentException(urlProblem, nameof(url));
        }

        if (CheckEndpoint(endpoint) is { } endpointProblem)
        {
            throw new ArgumentException(endpointProblem, nameof(endpoint));
        }

        var location = BackupLocation.Parse(url, out _)!;
        if (location.Kind == BackupStoreKind.File)
        {
            return string.IsNullOrEmpty(endpoint)
                ? new FileRemoteStore(location.Root)
                : throw new ArgumentException($"{EndpointKey} applies to s3:// URLs only, and {UrlKey} is a file:// URL", nameof(endpoint));
        }

        return new S3RemoteStore(new S3StoreOptions(location.Bucket, location.Root, string.IsNullOrEmpty(endpoint) ? null : endpoint, credentials));
    }

    /// <summary>Why <paramref name="url"/> is not a usable backup URL, or null; messages name <c>backup.url</c>.</summary>
    public static string? CheckUrl(string? url)
    {
        if (BackupLocation.Parse(url, out var problem) is not { } location)
        {
            return $"{UrlKey} {problem}";
        }

        return location.Root.Length > 0 && location.Kind == BackupStoreKind.S3 && RemoteKey.Problem(location.Root.TrimEnd('/')) is { } prefixProblem
            ? $"{UrlKey} {InputQuote.Quote(url!)}: invalid prefix ({prefixProblem})"
            : null;
    }

    /// <summary>Why <paramref name="endpoint"/> is not a usable S3 endpoint, or null (none is fine); messages name <c>backup.endpoint</c>.</summary>
    public static string? CheckEndpoint(string? endpoint) =>
        string.IsNullOrEmpty(endpoint) ? null : BackupLocation.EndpointProblem(endpoint) is { } problem ? $"{EndpointKey} {problem}" : null;
}
