namespace K8sReplication.Sidecar.Configuration;

/// <summary>Kind of object store a backup URL names.</summary>
internal enum BackupStoreKind
{
    /// <summary><c>file:///abs/path</c>: a directory (a mounted volume, NFS).</summary>
    File,

    /// <summary><c>s3://bucket/prefix</c>: an S3 bucket or an S3-compatible store.</summary>
    S3,
}

/// <summary>
/// A parsed backup URL: <c>file:///abs/path</c> (the directory) or <c>s3://bucket[/prefix]</c>. The root is where
/// every object of the archive lives; keys are relative to it.
/// </summary>
internal sealed record BackupLocation(BackupStoreKind Kind, string Url, string Bucket, string Root)
{
    /// <summary>Parses <paramref name="url"/>; null and a message saying what is wrong when it is not a backup URL.</summary>
    public static BackupLocation? Parse(string? url, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(url))
        {
            error = "is empty (file:///abs/path or s3://bucket/prefix)";
            return null;
        }

        if (url.Length > 1024 || url.Any(char.IsControl))
        {
            error = "must be at most 1024 characters without control characters";
            return null;
        }

        if (url.StartsWith("file://", StringComparison.Ordinal))
        {
            var path = url["file://".Length..];
            if (!path.StartsWith('/'))
            {
                error = $"{InputQuote.Quote(url)} is not an absolute file URL (file:///abs/path, three slashes)";
                return null;
            }

            if (path.Split('/').Any(part => part is "." or ".."))
            {
                error = $"{InputQuote.Quote(url)} must not contain . or .. path segments";
                return null;
            }

            return new BackupLocation(BackupStoreKind.File, url, "", path.TrimEnd('/') + "/");
        }

        if (url.StartsWith("s3://", StringComparison.Ordinal))
        {
            var rest = url["s3://".Length..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            var bucket = slash < 0 ? rest : rest[..slash];
            var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
            if (!IsBucketName(bucket))
            {
                error = $"{InputQuote.Quote(url)} does not name a bucket (s3://bucket/prefix; 3-63 lowercase letters, digits, dots and hyphens)";
                return null;
            }

            if (prefix.Split('/').Any(part => part is "." or ".." || (part.Length == 0 && prefix.Length > 0)))
            {
                error = $"{InputQuote.Quote(url)} has an empty, . or .. prefix segment";
                return null;
            }

            return new BackupLocation(BackupStoreKind.S3, url, bucket, prefix.Length == 0 ? "" : prefix + "/");
        }

        error = $"{InputQuote.Quote(url)} has an unknown scheme (file:///abs/path or s3://bucket/prefix)";
        return null;
    }

    /// <summary>Checks an S3 endpoint override: an absolute http(s) URL; null when fine.</summary>
    public static string? EndpointProblem(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            && string.IsNullOrEmpty(uri.UserInfo) && !string.IsNullOrEmpty(uri.Host)
            ? null
            : $"{InputQuote.Quote(endpoint)} is not an http:// or https:// URL without credentials";

    private static bool IsBucketName(string bucket) =>
        bucket.Length is >= 3 and <= 63
        && bucket.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-')
        && char.IsAsciiLetterOrDigit(bucket[0]) && char.IsAsciiLetterOrDigit(bucket[^1]);
}
