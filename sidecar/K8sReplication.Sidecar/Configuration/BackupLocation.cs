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
/// A parsed backup URL: <c>file:///abs/path</c> (the directory, <see cref="Root"/>) or <c>s3://bucket[/prefix]</c>
/// (<see cref="Bucket"/>, and the prefix as <see cref="Root"/>: empty or ending with '/'). The one parser of backup URLs:
/// the config validation, the restore command and the stores all use it.
/// </summary>
internal sealed record BackupLocation(BackupStoreKind Kind, string Url, string Bucket, string Root)
{
    private const string FileScheme = "file://";
    private const string S3Scheme = "s3://";

    /// <summary>The accepted forms, for messages.</summary>
    public const string Forms = "file:///abs/path or s3://bucket[/prefix]";

    /// <summary>Parses <paramref name="url"/>; null and what is wrong (without the key) when it is not a backup URL.</summary>
    public static BackupLocation? Parse(string? url, out string? problem)
    {
        problem = null;
        if (string.IsNullOrEmpty(url))
        {
            problem = $"is empty; it must be {Forms}";
            return null;
        }

        // Not quoted when it has an '@': the text before it may be a secret.
        var shown = url.Contains('@', StringComparison.Ordinal) ? "the URL" : InputQuote.Quote(url);
        if (url.Length > 1024 || url.Any(char.IsControl))
        {
            problem = $"{shown} must be at most 1024 characters without control characters";
            return null;
        }

        if (url.StartsWith(FileScheme, StringComparison.OrdinalIgnoreCase))
        {
            problem = FileProblem(url, shown, out var path);
            return problem is null ? new BackupLocation(BackupStoreKind.File, url, "", path!.TrimEnd('/') + "/") : null;
        }

        if (!url.StartsWith(S3Scheme, StringComparison.OrdinalIgnoreCase))
        {
            problem = $"{shown} must be {Forms}";
            return null;
        }

        var rest = url[S3Scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].TrimEnd('/');
        if (BucketProblem(bucket) is { } bucketProblem)
        {
            problem = $"{shown}: {bucketProblem}";
            return null;
        }

        if (prefix.Length > 0 && prefix.Split('/').Any(part => part is "" or "." or ".." || part.Contains('\\', StringComparison.Ordinal)))
        {
            problem = $"{shown}: invalid prefix (an empty, . or .. segment, or a backslash)";
            return null;
        }

        return new BackupLocation(BackupStoreKind.S3, url, bucket, prefix.Length == 0 ? "" : prefix + "/");
    }

    /// <summary>Why <paramref name="endpoint"/> is not a usable S3 endpoint (without the key), or null.</summary>
    public static string? EndpointProblem(string endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Contains('@', StringComparison.Ordinal))
        {
            return "must not carry user info (credentials); they come from the backup credentials or the SDK's chain";
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            return $"{InputQuote.Quote(endpoint)} is not an absolute http(s) URL";
        }

        return uri.Query.Length > 0 || uri.Fragment.Length > 0 ? $"{InputQuote.Quote(endpoint)} must not have a query or fragment" : null;
    }

    private static string? FileProblem(string url, string shown, out string? path)
    {
        path = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || !uri.IsFile)
        {
            return $"{shown} is not a valid file URL; write file:///abs/path";
        }

        if (uri.Host.Length > 0)
        {
            return $"{shown} names host '{uri.Host}' or a relative path; an absolute path has three slashes: file:///abs/path";
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return $"{shown} must not have a query or fragment";
        }

        if (!Path.IsPathFullyQualified(uri.LocalPath) || url[FileScheme.Length..].Split('/').Any(part => part is "." or ".."))
        {
            return $"{shown} is not an absolute path without . or .. segments; write file:///abs/path";
        }

        path = uri.LocalPath;
        return null;
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
