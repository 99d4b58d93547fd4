using K8sReplication.Contracts.Config;

namespace K8sReplication.Sidecar.Configuration;

/// <summary>
/// The one validation path of every config source (flags, environment, file, <c>PUT /v1/config</c>). Reports every
/// error with its config key, and resolves defaults into <see cref="SidecarSettings"/> when there is none.
/// </summary>
internal static class SidecarConfigValidator
{
    public static IReadOnlyList<ConfigError> Validate(SidecarConfig config, out SidecarSettings? settings)
    {
        var errors = new List<ConfigError>();
        settings = null;

        if (string.IsNullOrWhiteSpace(config.Database))
        {
            errors.Add(new ConfigError("database", "is required (--database, K8SREPL_DATABASE or 'database' in the config file)"));
        }

        if (string.IsNullOrWhiteSpace(config.NodeName))
        {
            errors.Add(new ConfigError("nodeName", "is required"));
        }
        else if (DnsName.Problem(config.NodeName) is { } nodeNameProblem)
        {
            errors.Add(new ConfigError("nodeName", nodeNameProblem));
        }

        if (config.Mesh is not null && DnsName.Problem(config.Mesh) is { } meshProblem)
        {
            errors.Add(new ConfigError("mesh", meshProblem));
        }

        if (GenerationRule.CheckRange(config.Generation) is { } generationError)
        {
            errors.Add(generationError);
        }

        ValidateTables(config.Tables, errors);
        var listen = Address(config.Listen ?? SidecarDefaults.Listen, "listen", errors);
        var admin = Address(config.AdminListen ?? SidecarDefaults.AdminListen, "adminListen", errors);
        if (listen is not null && admin is not null && listen.Port != 0 && listen.Port == admin.Port)
        {
            errors.Add(new ConfigError("adminListen", $"port {admin.Port} is also the replication port"));
        }

        var tls = ValidateTls(config.Tls, errors);
        var peers = ValidatePeers(config.Peers, config.NodeName, tls is not null, errors);

        var batch = config.HotPath?.BatchSize ?? HotPathConfig.DefaultBatchSize;
        if (batch is < SidecarDefaults.MinBatchSize or > SidecarDefaults.MaxBatchSize)
        {
            errors.Add(new ConfigError("hotPath.batchSize", $"must be between {SidecarDefaults.MinBatchSize} and {SidecarDefaults.MaxBatchSize}, got {batch}"));
        }

        var maxBatchBytes = Bytes(config.HotPath?.MaxBatchBytes ?? HotPathConfig.DefaultMaxBatchBytes, "hotPath.maxBatchBytes", 64L << 10, 256L << 20, errors);
        var maxRowBytes = Bytes(config.HotPath?.MaxRowBytes ?? HotPathConfig.DefaultMaxRowBytes, "hotPath.maxRowBytes", 1L << 10, 256L << 20, errors);
        var compression = config.HotPath?.Compression ?? "none";
        if (compression is not ("none" or "gzip" or "br"))
        {
            errors.Add(new ConfigError("hotPath.compression", $"must be none, gzip or br, got {InputQuote.Quote(compression)}"));
        }
        var niceness = config.HotPath?.Niceness ?? HotPathConfig.DefaultNiceness;
        if (niceness is < 0 or > 19)
        {
            errors.Add(new ConfigError("hotPath.niceness", $"must be between 0 and 19, got {niceness}"));
        }

        var transport = config.HotPath?.Transport ?? "http";
        RedisSettings? redis = null;
        if (transport == "redis")
        {
            redis = RedisUrl.Validate(config.HotPath?.Redis, errors);
        }
        else if (transport != "http")
        {
            errors.Add(new ConfigError("hotPath.transport", $"must be http or redis, got {InputQuote.Quote(transport)} (--transport, K8SREPL_TRANSPORT)"));
        }

        var wait = Duration(config.HotPath?.Wait ?? HotPathConfig.DefaultWait, "hotPath.wait", TimeSpan.Zero, SidecarDefaults.MaxWait, errors);
        var interval = Duration(config.AntiEntropy?.Interval ?? AntiEntropyConfig.DefaultInterval, "antiEntropy.interval", SidecarDefaults.MinAntiEntropyInterval, TimeSpan.FromDays(1), errors);
        var timeout = Duration(config.AntiEntropy?.Timeout ?? AntiEntropyConfig.DefaultTimeout, "antiEntropy.timeout", TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), errors);
        var budget = config.AntiEntropy?.Budget ?? AntiEntropyConfig.DefaultBudget;
        if (budget < 1)
        {
            errors.Add(new ConfigError("antiEntropy.budget", $"must be at least 1, got {budget}"));
        }

        var skew = Duration(config.MaxClockSkew ?? SidecarDefaults.MaxClockSkew, "maxClockSkew", TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), errors);
        var ttl = Duration(config.TombstoneTtl ?? SidecarDefaults.TombstoneTtl, "tombstoneTtl", TimeSpan.FromSeconds(1), TimeSpan.FromDays(3650), errors);
        var conflictMaxAge = Duration(config.ConflictRetention?.MaxAge ?? ConflictRetentionConfig.DefaultMaxAge, "conflictRetention.maxAge",
            TimeSpan.FromMinutes(1), TimeSpan.FromDays(3650), errors);
        var conflictMaxEntries = config.ConflictRetention?.MaxEntries ?? ConflictRetentionConfig.DefaultMaxEntries;
        if (conflictMaxEntries is < 1 or > ConflictRetentionConfig.MaxMaxEntries)
        {
            errors.Add(new ConfigError("conflictRetention.maxEntries", $"must be between 1 and {ConflictRetentionConfig.MaxMaxEntries}, got {conflictMaxEntries}"));
        }

        var backup = ValidateBackup(config.Backup, errors);
        var drain = Duration(config.DrainTimeout ?? SidecarDefaults.DrainTimeout, "drainTimeout", TimeSpan.Zero, TimeSpan.FromHours(1), errors);
        if (config.Topology is { } topology && !Enum.IsDefined(topology))
        {
            errors.Add(new ConfigError("topology", $"unknown topology {(int)topology}"));
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        settings = new SidecarSettings
        {
            Source = config,
            Mesh = config.Mesh,
            Generation = config.Generation ?? 0,
            NodeName = config.NodeName!,
            Database = config.Database!,
            Tables = config.Tables is { Count: > 0 } t ? t : null,
            Listen = listen!,
            AdminListen = admin!,
            Peers = peers,
            TokenFile = string.IsNullOrWhiteSpace(config.TokenFile) ? null : config.TokenFile,
            StateDir = string.IsNullOrWhiteSpace(config.StateDir) ? null : config.StateDir,
            Tls = tls,
            Topology = config.Topology ?? Topology.FullMesh,
            BatchSize = batch,
            Wait = wait,
            MaxBatchBytes = maxBatchBytes,
            MaxRowBytes = maxRowBytes,
            Compression = compression == "none" ? null : compression,
            Niceness = niceness,
            Redis = redis,
            AntiEntropyInterval = interval,
            AntiEntropyBudget = budget,
            AntiEntropyTimeout = timeout,
            MaxClockSkew = skew,
            TombstoneTtl = ttl,
            ConflictMaxAge = conflictMaxAge,
            ConflictMaxEntries = conflictMaxEntries,
            DrainTimeout = drain,
            Paused = config.Paused ?? false,
            Backup = backup,
        };
        return errors;
    }

    /// <summary>
    /// The TLS files, or null when none is given. Mutual TLS needs all three: a certificate without the CA would
    /// accept any client, a CA without a certificate could not serve. Whether the files hold usable PEM is checked when
    /// they are loaded at start (they may legitimately change later).
    /// </summary>
    private static TlsSettings? ValidateTls(TlsConfig? tls, List<ConfigError> errors)
    {
        var cert = Blank(tls?.CertFile);
        var key = Blank(tls?.KeyFile);
        var ca = Blank(tls?.CaFile);
        if (cert is null && key is null && ca is null)
        {
            return null;
        }

        (string? Value, string Key)[] files = [(cert, TlsSettings.CertKey), (key, TlsSettings.KeyKey), (ca, TlsSettings.CaKey)];
        var given = files.Where(f => f.Value is not null).Select(f => f.Key).ToList();
        foreach (var (value, configKey) in files.Where(f => f.Value is null))
        {
            errors.Add(new ConfigError(configKey, $"is required when {string.Join(" and ", given)} {(given.Count > 1 ? "are" : "is")} set "
                + $"(set it with {TlsSettings.Sources(configKey)}): mutual TLS needs the certificate, its key and the CA bundle"));
        }

        return cert is null || key is null || ca is null ? null : new TlsSettings(cert, key, ca);
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    /// <summary>The backup settings, or null when no backup is configured (no section, or a section without a URL and nothing else).</summary>
    private static BackupSettings? ValidateBackup(BackupConfig? backup, List<ConfigError> errors)
    {
        if (backup is null || (backup.Url is null && backup.Endpoint is null && backup.Interval is null && backup.SnapshotInterval is null
            && backup.Retention is null && backup.Credentials is null))
        {
            return null;
        }

        var location = BackupLocation.Parse(backup.Url, out var urlError);
        if (location is null)
        {
            errors.Add(new ConfigError("backup.url", backup.Url is null ? "is required when any other backup setting is given" : urlError!));
        }

        if (backup.Endpoint is { } endpoint)
        {
            if (BackupLocation.EndpointProblem(endpoint) is { } endpointError)
            {
                errors.Add(new ConfigError("backup.endpoint", endpointError));
            }
            else if (location is { Kind: not BackupStoreKind.S3 })
            {
                errors.Add(new ConfigError("backup.endpoint", "applies to s3:// URLs only"));
            }
        }

        if (backup.Credentials is { } credentials && (string.IsNullOrEmpty(credentials.AccessKeyId) != string.IsNullOrEmpty(credentials.SecretAccessKey)))
        {
            errors.Add(new ConfigError("backup.credentials", "needs both accessKeyId and secretAccessKey"));
        }

        var interval = Duration(backup.Interval ?? BackupConfig.DefaultInterval, "backup.interval", TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), errors);
        var snapshots = Duration(backup.SnapshotInterval ?? BackupConfig.DefaultSnapshotInterval, "backup.snapshotInterval",
            TimeSpan.FromSeconds(1), TimeSpan.FromDays(366), errors);
        var retention = Duration(backup.Retention ?? BackupConfig.DefaultRetention, "backup.retention", TimeSpan.FromSeconds(1), TimeSpan.FromDays(3650), errors);
        if (location is null)
        {
            return null;
        }

        return new BackupSettings
        {
            Location = location,
            Endpoint = backup.Endpoint,
            Interval = interval,
            SnapshotInterval = snapshots,
            Retention = retention,
            Credentials = backup.Credentials is { AccessKeyId.Length: > 0 } or { Region.Length: > 0 } ? backup.Credentials : null,
        };
    }

    private static long Bytes(long value, string key, long min, long max, List<ConfigError> errors)
    {
        if (value < min || value > max)
        {
            errors.Add(new ConfigError(key, $"must be between {min} and {max} bytes, got {value}"));
        }

        return value;
    }

    private static void ValidateTables(IReadOnlyList<string>? tables, List<ConfigError> errors)
    {
        if (tables is null)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < tables.Count; i++)
        {
            var name = tables[i];
            if (string.IsNullOrWhiteSpace(name) || name.Any(char.IsControl))
            {
                errors.Add(new ConfigError($"tables[{i}]", "must be a table name (not blank, no control characters)"));
            }
            else if (name.Length > ConfigLimits.MaxNameLength)
            {
                errors.Add(new ConfigError($"tables[{i}]", $"is {name.Length} characters long; the limit is {ConfigLimits.MaxNameLength}"));
            }
            else if (name.StartsWith(Contracts.WellKnown.BookkeepingTablePrefix, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new ConfigError($"tables[{i}]", $"{InputQuote.Quote(name)} is a bookkeeping table and cannot be replicated"));
            }
            else if (!seen.Add(name))
            {
                errors.Add(new ConfigError($"tables[{i}]", $"{InputQuote.Quote(name)} is listed twice"));
            }
        }
    }

    private static List<PeerSettings> ValidatePeers(IReadOnlyList<PeerConfig>? peers, string? self, bool tls, List<ConfigError> errors)
    {
        var result = new List<PeerSettings>();
        if (peers is null)
        {
            return result;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < peers.Count; i++)
        {
            var peer = peers[i];
            if (peer is null)
            {
                errors.Add(new ConfigError($"peers[{i}]", "must be an object with name and url"));
                continue;
            }

            var ok = true;
            if (string.IsNullOrWhiteSpace(peer.Name))
            {
                errors.Add(new ConfigError($"peers[{i}].name", "is required"));
                ok = false;
            }
            else if (DnsName.Problem(peer.Name) is { } nameProblem)
            {
                errors.Add(new ConfigError($"peers[{i}].name", nameProblem));
                ok = false;
            }
            else if (!names.Add(peer.Name))
            {
                errors.Add(new ConfigError($"peers[{i}].name", $"{InputQuote.Quote(peer.Name)} is listed twice"));
                ok = false;
            }
            else if (peer.Name == self)
            {
                errors.Add(new ConfigError($"peers[{i}].name", $"{InputQuote.Quote(peer.Name)} is this member's own node name"));
                ok = false;
            }

            if (PeerUrl.Problem(peer.Url, out var url) is { } urlProblem)
            {
                errors.Add(new ConfigError($"peers[{i}].url", urlProblem));
                ok = false;
            }
            else if (tls && url!.Scheme != Uri.UriSchemeHttps)
            {
                // A member with TLS never sends a request (or its token) in clear text, and its peers serve HTTPS only.
                errors.Add(new ConfigError($"peers[{i}].url", $"must be an https:// URL: this member uses mutual TLS ({TlsSettings.CertKey} is set)"));
                ok = false;
            }

            if (peer.Site is { } site && (site.Length != 32 || !site.All(char.IsAsciiHexDigit)))
            {
                errors.Add(new ConfigError($"peers[{i}].site", "must be a site id (32 hex digits)"));
                ok = false;
            }

            if (ok)
            {
                result.Add(new PeerSettings(peer.Name, url!, peer.Site?.ToLowerInvariant()));
            }
        }

        return result;
    }

    private static ListenAddress? Address(string text, string key, List<ConfigError> errors)
    {
        if (ListenAddress.TryParse(text, out var address))
        {
            return address;
        }

        errors.Add(new ConfigError(key, $"{InputQuote.Quote(text)} is not HOST:PORT (an IP address or localhost, port 0-65535)"));
        return null;
    }

    private static TimeSpan Duration(string text, string key, TimeSpan min, TimeSpan max, List<ConfigError> errors)
    {
        if (!Durations.TryParse(text, out var value))
        {
            errors.Add(new ConfigError(key, $"{InputQuote.Quote(text)} is not a duration (examples: 500ms, 5s, 2m)"));
            return TimeSpan.Zero;
        }

        if (value < min || value > max)
        {
            errors.Add(new ConfigError(key, $"{InputQuote.Quote(text)} is outside {Durations.Format(min)}..{Durations.Format(max)}"));
        }

        return value;
    }
}
