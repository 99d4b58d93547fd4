using K8sReplication.Contracts.Config;

namespace K8sReplication.Sidecar.Configuration;

/// <summary>
/// Strict parser of the sidecar's flags (tests, the operator and the examples depend on them).
/// Accepts <c>--flag value</c> and <c>--flag=value</c>; <c>--peer</c> repeats. Unknown flags, missing values and
/// repeated single-valued flags are errors naming the flag; values are checked later by the validator.
/// </summary>
internal static class CommandLineParser
{
    public const string Database = "--database";
    public const string Tables = "--tables";
    public const string NodeName = "--node-name";
    public const string Listen = "--listen";
    public const string AdminListen = "--admin-listen";
    public const string Peer = "--peer";
    public const string Config = "--config";
    public const string TokenFile = "--token-file";
    public const string AntiEntropyInterval = "--anti-entropy-interval";
    public const string StateDir = "--state-dir";
    public const string DrainTimeout = "--drain-timeout";
    public const string TombstoneTtl = "--tombstone-ttl";
    public const string BackupUrl = "--backup-url";
    public const string BackupEndpoint = "--backup-endpoint";
    public const string BackupInterval = "--backup-interval";
    public const string SnapshotInterval = "--snapshot-interval";
    public const string BackupRetention = "--backup-retention";
    public const string TlsCert = "--tls-cert";
    public const string TlsKey = "--tls-key";
    public const string TlsCa = "--tls-ca";
    public const string Transport = "--transport";
    public const string RedisUrl = "--redis-url";
    public const string RedisPasswordFile = "--redis-password-file";
    public const string RedisCaFile = "--redis-ca-file";
    public const string RedisKeyPrefix = "--redis-key-prefix";
    public const string RedisStreamMaxLen = "--redis-stream-max-len";

    private static readonly string[] Known =
        [Database, Tables, NodeName, Listen, AdminListen, Peer, Config, TokenFile, AntiEntropyInterval, StateDir, DrainTimeout, TombstoneTtl,
         BackupUrl, BackupEndpoint, BackupInterval, SnapshotInterval, BackupRetention, TlsCert, TlsKey, TlsCa,
         Transport, RedisUrl, RedisPasswordFile, RedisCaFile, RedisKeyPrefix, RedisStreamMaxLen];

    public static StartupArguments Parse(IReadOnlyList<string> args, List<ConfigError> errors)
    {
        var single = new Dictionary<string, string>(StringComparer.Ordinal);
        var peers = new List<PeerConfig>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string flag;
            string? value = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                flag = arg[..eq];
                value = arg[(eq + 1)..];
            }
            else
            {
                flag = arg;
            }

            if (!Known.Contains(flag, StringComparer.Ordinal))
            {
                errors.Add(flag.StartsWith("--", StringComparison.Ordinal)
                    ? new ConfigError(flag, $"unknown flag {InputQuote.Quote(flag)} (known: {string.Join(' ', Known)})")
                    : new ConfigError(flag, $"unexpected argument {InputQuote.Quote(flag)} (flags are --name value)"));

                // Skip the unknown flag's value so it is not reported as a second error.
                if (value is null && flag.StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    i++;
                }

                continue;
            }

            if (value is null)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    errors.Add(new ConfigError(flag, "needs a value"));
                    continue;
                }

                value = args[++i];
            }

            if (flag == Peer)
            {
                peers.Add(ParsePeer(flag, value, errors));
            }
            else if (!single.TryAdd(flag, value))
            {
                errors.Add(new ConfigError(flag, "given more than once"));
            }
        }

        return new StartupArguments(
            single.GetValueOrDefault(Config),
            FromValues(single.GetValueOrDefault, peers.Count > 0 ? peers : null));
    }

    /// <summary>Builds a config from flag-named values; shared with the environment reader so both map alike.</summary>
    public static SidecarConfig FromValues(Func<string, string?> get, IReadOnlyList<PeerConfig>? peers)
    {
        var interval = get(AntiEntropyInterval);
        var redis = get(RedisUrl) is null && get(RedisPasswordFile) is null && get(RedisCaFile) is null && get(RedisKeyPrefix) is null
            && get(RedisStreamMaxLen) is null
            ? null
            : new RedisTransportConfig
            {
                Url = get(RedisUrl),
                PasswordFile = get(RedisPasswordFile),
                CaFile = get(RedisCaFile),
                KeyPrefix = get(RedisKeyPrefix),
                // Not a number: kept as a value the validator refuses, naming the key.
                StreamMaxLen = get(RedisStreamMaxLen) is { } maxLen
                    ? long.TryParse(maxLen, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1
                    : null,
            };
        return new SidecarConfig
        {
            Database = get(Database),
            Tables = get(Tables) is { } t
                ? t.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                : null,
            NodeName = get(NodeName),
            Listen = get(Listen),
            AdminListen = get(AdminListen),
            Peers = peers,
            TokenFile = get(TokenFile),
            StateDir = get(StateDir),
            AntiEntropy = interval is null ? null : new AntiEntropyConfig { Interval = interval },
            HotPath = get(Transport) is null && redis is null ? null : new HotPathConfig { Transport = get(Transport), Redis = redis },
            DrainTimeout = get(DrainTimeout),
            TombstoneTtl = get(TombstoneTtl),
            Backup = get(BackupUrl) is null && get(BackupEndpoint) is null && get(BackupInterval) is null
                && get(SnapshotInterval) is null && get(BackupRetention) is null
                ? null
                : new BackupConfig
                {
                    Url = get(BackupUrl),
                    Endpoint = get(BackupEndpoint),
                    Interval = get(BackupInterval),
                    SnapshotInterval = get(SnapshotInterval),
                    Retention = get(BackupRetention),
                },
            Tls = get(TlsCert) is null && get(TlsKey) is null && get(TlsCa) is null
                ? null
                : new TlsConfig { CertFile = get(TlsCert), KeyFile = get(TlsKey), CaFile = get(TlsCa) },
        };
    }

    /// <summary>Parses <c>NAME=URL</c>; a malformed entry is reported and kept (empty parts) for the validator.</summary>
    public static PeerConfig ParsePeer(string key, string text, List<ConfigError> errors)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == text.Length - 1)
        {
            errors.Add(new ConfigError(key, $"{(text.Contains('@', StringComparison.Ordinal) ? "the entry" : InputQuote.Quote(text))} is not NAME=URL"));
            return new PeerConfig();
        }

        return new PeerConfig { Name = text[..eq].Trim(), Url = text[(eq + 1)..].Trim() };
    }
}
