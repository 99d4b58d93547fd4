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

    private const string FileScheme = "file://";
    private const string S3Scheme = "s3://";
    private const string Forms = "file:///abs/path or s3://bucket[/prefix]";

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

        if (IsFileUrl(url))
        {
            return string.IsNullOrEmpty(endpoint)
                ? new FileRemoteStore(new Uri(url).LocalPath)
                : throw new ArgumentException($"{EndpointKey} applies to s3:// URLs only, and {UrlKey} is a file:// URL", nameof(endpoint));
        }

        var (bucket, prefix) = S3Parts(url);
        return new S3RemoteStore(new S3StoreOptions(bucket, prefix, string.IsNullOrEmpty(endpoint) ? null : endpoint, credentials));
    }

    /// <summary>Why <paramref name="url"/> is not a usable backup URL, or null; messages name <c>backup.url</c>.</summary>
    public static string? CheckUrl(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return $"{UrlKey} is empty; it must be {Forms}";
        }

        // Not quoted when it has an '@': the text before it may be a secret.
        var shown = url.Contains('@', StringComparison.Ordinal) ? "the URL" : InputQuote.Quote(url);
        if (IsFileUrl(url))
        {
            return FileUrlProblem(url, shown);
        }

        if (!url.StartsWith(S3Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return $"{UrlKey} {shown} must be {Forms}";
        }

        var (bucket, prefix) = S3Parts(url);
        if (BucketProblem(bucket) is { } bucketProblem)
        {
            return $"{UrlKey} {shown}: {bucketProblem}";
        }

        return prefix.Length > 0 && RemoteKey.Problem(prefix.TrimEnd('/')) is { } prefixProblem
            ? $"{UrlKey} {shown}: invalid prefix ({prefixProblem})"
            : null;
    }

    /// <summary>Why <paramref name="endpoint"/> is not a usable S3 endpoint, or null (none is fine); messages name <c>backup.endpoint</c>.</summary>
    public static string? CheckEndpoint(string? endpoint)
    {
        if (string.IsNullOrEmpty(endpoint))
        {
            return null;
        }

        if (endpoint.Contains('@', StringComparison.Ordinal))
        {
            return $"{EndpointKey} must not carry user info (credentials); they come from the backup credentials or the SDK's chain";
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            return $"{EndpointKey} {InputQuote.Quote(endpoint)} is not an absolute http(s) URL";
        }

        return uri.Query.Length > 0 || uri.Fragment.Length > 0
            ? $"{EndpointKey} {InputQuote.Quote(endpoint)} must not have a query or fragment"
            : null;
    }

    private static bool IsFileUrl(string url) => url.StartsWith(FileScheme, StringComparison.OrdinalIgnoreCase);

    private static string? FileUrlProblem(string url, string shown)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !uri.IsFile)
        {
            return $"{UrlKey} {shown} is not a valid file URL; write file:///abs/path";
        }

        if (uri.Host.Length > 0)
        {
            return $"{UrlKey} {shown} names host '{uri.Host}' or a relative path; an absolute path has three slashes: file:///abs/path";
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return $"{UrlKey} {shown} must not have a query or fragment";
        }

        return Path.IsPathFullyQualified(uri.LocalPath) ? null : $"{UrlKey} {shown} is not an absolute path; write file:///abs/path";
    }

    /// <summary>Bucket and prefix (empty, or ending with '/') of an s3:// URL.</summary>
    private static (string Bucket, string Prefix) S3Parts(string url)
    {
        var rest = url[S3Scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return (rest, "");
        }

        var prefix = rest[(slash + 1)..].TrimEnd('/');
        return (rest[..slash], prefix.Length == 0 ? "" : prefix + "/");
    }

    /// <summary>S3's bucket naming rule (3-63 of a-z, 0-9, '.', '-'; a letter or digit at each end).</summary>
    private static string? BucketProblem(string bucket)
    {
        if (bucket.Length == 0)
        {
            return "names no bucket; write s3://bucket[/prefix]";
        }

        var valid = bucket.Length is >= 3 and <= 63
            && bucket.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-')
            && char.IsAsciiLetterOrDigit(bucket[0]) && char.IsAsciiLetterOrDigit(bucket[^1]);
        return valid ? null : "the bucket is not a valid S3 bucket name (3-63 lowercase letters, digits, '.' and '-')";
    }
}
