namespace K8sReplication.Sidecar.Backup;

/// <summary>
/// The rule for keys of a <see cref="IRemoteStore"/>: relative to the store's root, <c>/</c>-separated, no empty or
/// <c>.</c> segment, no leading <c>/</c>, no <c>..</c>, no backslash and no control character. The filesystem store
/// maps a key onto a path under its root directory, so a key that could climb out of it, or name one file two ways,
/// is refused on every store alike (the S3 URL's prefix follows the same rule).
/// </summary>
internal static class RemoteKey
{
    /// <summary>Longest key accepted (S3's limit is 1024 bytes of UTF-8, less the store's prefix).</summary>
    public const int MaxLength = 512;

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="key"/> is a valid key.</summary>
    public static void Check(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Problem(key) is { } problem)
        {
            throw new ArgumentException($"invalid remote key: {problem}", nameof(key));
        }
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless <paramref name="prefix"/> is a valid listing prefix: empty, or the
    /// start of a valid key (it may end with <c>/</c> or mid-segment).
    /// </summary>
    public static void CheckPrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > 0 && Problem(prefix, allowPartial: true) is { } problem)
        {
            throw new ArgumentException($"invalid remote key prefix: {problem}", nameof(prefix));
        }
    }

    /// <summary>Why <paramref name="key"/> is not a valid key, or null.</summary>
    public static string? Problem(string key) => Problem(key, allowPartial: false);

    private static string? Problem(string key, bool allowPartial)
    {
        if (key.Length == 0)
        {
            return "it is empty";
        }

        if (key.Length > MaxLength)
        {
            return $"it is longer than {MaxLength} characters";
        }

        foreach (var c in key)
        {
            if (char.IsControl(c))
            {
                return "it contains a control character";
            }

            if (c == '\\')
            {
                return "it contains a backslash";
            }
        }

        // Checked after the control characters, so the quoted key is safe to print.
        if (key[0] == '/')
        {
            return $"'{key}' starts with '/'";
        }

        if (key.Contains("..", StringComparison.Ordinal))
        {
            return $"'{key}' contains '..'";
        }

        // The last segment of a prefix may be incomplete ("" after a trailing '/', "." of ".hidden").
        var segments = key.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var complete = !allowPartial || i < segments.Length - 1;
            if (complete && segments[i] is "" or ".")
            {
                return $"'{key}' has an empty or '.' segment";
            }
        }

        return null;
    }
}
