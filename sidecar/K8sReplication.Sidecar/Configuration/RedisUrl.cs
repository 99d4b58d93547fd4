using System.Globalization;
using K8sReplication.Contracts.Config;

namespace K8sReplication.Sidecar.Configuration;

/// <summary>Validates the Redis transport's section into <see cref="RedisSettings"/>, each error naming its config key.</summary>
internal static class RedisUrl
{
    public const int DefaultPort = 6379;

    /// <summary>Smallest <c>streamMaxLen</c>: below it a short hiccup of one member would already need anti-entropy.</summary>
    public const long MinStreamMaxLen = 1000;

    public static RedisSettings? Validate(RedisTransportConfig? redis, List<ConfigError> errors)
    {
        if (redis?.Url is not { } text || string.IsNullOrWhiteSpace(text))
        {
            errors.Add(new ConfigError("hotPath.redis.url", "is required with transport redis (--redis-url, K8SREPL_REDIS_URL)"));
            return null;
        }

        var prefix = redis.KeyPrefix ?? RedisTransportConfig.DefaultKeyPrefix;
        if (prefix.Length > 200 || prefix.Any(char.IsControl) || prefix.Contains(' ', StringComparison.Ordinal))
        {
            errors.Add(new ConfigError("hotPath.redis.keyPrefix", "must be at most 200 characters without spaces or control characters"));
        }

        var maxLen = redis.StreamMaxLen ?? RedisTransportConfig.DefaultStreamMaxLen;
        if (maxLen < MinStreamMaxLen)
        {
            errors.Add(new ConfigError("hotPath.redis.streamMaxLen", $"must be a number of at least {MinStreamMaxLen}"));
        }

        if (redis.PasswordFile is { } file && string.IsNullOrWhiteSpace(file))
        {
            errors.Add(new ConfigError("hotPath.redis.passwordFile", "is empty"));
        }

        // The URL is never quoted back: it may hold a password.
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || string.IsNullOrEmpty(uri.Host))
        {
            errors.Add(new ConfigError("hotPath.redis.url", "must be redis://[user:password@]host[:port][/db] or rediss://… for TLS"));
            return null;
        }

        var database = 0;
        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0 && (!int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out database) || database > 15))
        {
            errors.Add(new ConfigError("hotPath.redis.url", "the path must be a database number 0-15 or nothing"));
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            errors.Add(new ConfigError("hotPath.redis.url", "takes no query or fragment"));
        }

        string? user = null;
        string? password = null;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            password = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            if (colon < 0)
            {
                // redis://secret@host: a bare user info is the password (as redis-cli reads it).
                (user, password) = (null, user);
            }
        }

        var port = uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port;
        var display = $"{uri.Scheme}://{(user is null ? "" : Uri.EscapeDataString(user))}{(password is null ? "" : (user is null ? "" : ":") + "***")}{(user is null && password is null ? "" : "@")}{uri.Host}:{port.ToString(CultureInfo.InvariantCulture)}/{database.ToString(CultureInfo.InvariantCulture)}";
        return new RedisSettings
        {
            Host = uri.Host,
            Port = port,
            Tls = uri.Scheme == "rediss",
            User = string.IsNullOrEmpty(user) ? null : user,
            Password = password,
            PasswordFile = string.IsNullOrWhiteSpace(redis.PasswordFile) ? null : redis.PasswordFile,
            CaFile = string.IsNullOrWhiteSpace(redis.CaFile) ? null : redis.CaFile,
            Database = database,
            KeyPrefix = prefix,
            StreamMaxLen = maxLen,
            Display = display,
        };
    }
}
