using K8sReplication.Contracts.Config;

namespace K8sReplication.Sidecar.Configuration;

/// <summary>Layers config sources field by field: a later source's set (non-null) field wins.</summary>
internal static class ConfigLayering
{
    public static SidecarConfig Merge(params ReadOnlySpan<SidecarConfig?> layers)
    {
        var result = new SidecarConfig();
        foreach (var layer in layers)
        {
            if (layer is not null)
            {
                result = Over(result, layer);
            }
        }

        return result;
    }

    /// <summary>
    /// The part of a pushed config that may change at run time: everything except sidecar-local fields (node name,
    /// database, listen addresses, token file, state dir, TLS files), which only the pod's own flags, environment and file decide.
    /// </summary>
    public static SidecarConfig Dynamic(SidecarConfig pushed) => pushed with
    {
        NodeName = null,
        Database = null,
        Listen = null,
        AdminListen = null,
        TokenFile = null,
        StateDir = null,
        Tls = null,
    };

    /// <summary>
    /// Errors for the sidecar-local fields a push sets to something other than the value in force: a push cannot
    /// change them, and accepting one silently would tell the sender it took effect. Repeating the value in force is
    /// fine (a sender may send the whole config back).
    /// </summary>
    public static IReadOnlyList<ConfigError> LocalFieldChanges(SidecarConfig pushed, SidecarSettings current)
    {
        var errors = new List<ConfigError>();
        if (pushed.NodeName is { } node && node != current.NodeName)
        {
            // The node name is this member's identity among its peers (the pod name): only the pod decides it.
            errors.Add(Unchangeable("nodeName"));
        }

        if (pushed.Database is { } database && database != current.Database)
        {
            errors.Add(Unchangeable("database"));
        }

        if (pushed.Listen is { } listen && !SameAddress(listen, current.Listen))
        {
            errors.Add(Unchangeable("listen"));
        }

        if (pushed.AdminListen is { } adminListen && !SameAddress(adminListen, current.AdminListen))
        {
            errors.Add(Unchangeable("adminListen"));
        }

        if (pushed.TokenFile is not null && Blank(pushed.TokenFile) != current.TokenFile)
        {
            errors.Add(Unchangeable("tokenFile"));
        }

        if (pushed.StateDir is not null && Blank(pushed.StateDir) != current.StateDir)
        {
            errors.Add(Unchangeable("stateDir"));
        }

        // The TLS files decide who may connect at all: only the pod decides them, never a caller of the admin API.
        if (pushed.Tls is { } tls)
        {
            AddIfChanged("tls.certFile", tls.CertFile, current.Tls?.CertFile);
            AddIfChanged("tls.keyFile", tls.KeyFile, current.Tls?.KeyFile);
            AddIfChanged("tls.caFile", tls.CaFile, current.Tls?.CaFile);
        }

        // The Redis password and CA files too: a push naming another file could have its contents sent to a server
        // of the pusher's choice.
        if (pushed.HotPath?.Redis is { } redis)
        {
            AddIfChanged("hotPath.redis.passwordFile", redis.PasswordFile, current.Redis?.PasswordFile);
            AddIfChanged("hotPath.redis.caFile", redis.CaFile, current.Redis?.CaFile);
        }

        return errors;

        void AddIfChanged(string key, string? pushedPath, string? inForce)
        {
            if (pushedPath is not null && Blank(pushedPath) != inForce)
            {
                errors.Add(Unchangeable(key));
            }
        }
    }

    private static ConfigError Unchangeable(string key) =>
        new(key, "is sidecar-local: a push cannot change it (set it with the pod's flags, environment or config file)");

    private static bool SameAddress(string text, ListenAddress inForce) =>
        ListenAddress.TryParse(text, out var address) && address == inForce;

    private static string? Blank(string text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static SidecarConfig Over(SidecarConfig low, SidecarConfig high) => new()
    {
        Mesh = high.Mesh ?? low.Mesh,
        Generation = high.Generation ?? low.Generation,
        NodeName = high.NodeName ?? low.NodeName,
        Database = high.Database ?? low.Database,
        Tables = high.Tables ?? low.Tables,
        Listen = high.Listen ?? low.Listen,
        AdminListen = high.AdminListen ?? low.AdminListen,
        Peers = high.Peers ?? low.Peers,
        TokenFile = high.TokenFile ?? low.TokenFile,
        StateDir = high.StateDir ?? low.StateDir,
        Tls = high.Tls is null ? low.Tls : new TlsConfig
        {
            CertFile = high.Tls.CertFile ?? low.Tls?.CertFile,
            KeyFile = high.Tls.KeyFile ?? low.Tls?.KeyFile,
            CaFile = high.Tls.CaFile ?? low.Tls?.CaFile,
        },
        Topology = high.Topology ?? low.Topology,
        HotPath = high.HotPath is null ? low.HotPath : new HotPathConfig
        {
            BatchSize = high.HotPath.BatchSize ?? low.HotPath?.BatchSize,
            Wait = high.HotPath.Wait ?? low.HotPath?.Wait,
            MaxBatchBytes = high.HotPath.MaxBatchBytes ?? low.HotPath?.MaxBatchBytes,
            MaxRowBytes = high.HotPath.MaxRowBytes ?? low.HotPath?.MaxRowBytes,
            Compression = high.HotPath.Compression ?? low.HotPath?.Compression,
            Niceness = high.HotPath.Niceness ?? low.HotPath?.Niceness,
            Transport = high.HotPath.Transport ?? low.HotPath?.Transport,
            Redis = high.HotPath.Redis is null ? low.HotPath?.Redis : new RedisTransportConfig
            {
                Url = high.HotPath.Redis.Url ?? low.HotPath?.Redis?.Url,
                PasswordFile = high.HotPath.Redis.PasswordFile ?? low.HotPath?.Redis?.PasswordFile,
                CaFile = high.HotPath.Redis.CaFile ?? low.HotPath?.Redis?.CaFile,
                KeyPrefix = high.HotPath.Redis.KeyPrefix ?? low.HotPath?.Redis?.KeyPrefix,
                StreamMaxLen = high.HotPath.Redis.StreamMaxLen ?? low.HotPath?.Redis?.StreamMaxLen,
            },
        },
        AntiEntropy = high.AntiEntropy is null ? low.AntiEntropy : new AntiEntropyConfig
        {
            Interval = high.AntiEntropy.Interval ?? low.AntiEntropy?.Interval,
            Budget = high.AntiEntropy.Budget ?? low.AntiEntropy?.Budget,
            Timeout = high.AntiEntropy.Timeout ?? low.AntiEntropy?.Timeout,
        },
        MaxClockSkew = high.MaxClockSkew ?? low.MaxClockSkew,
        TombstoneTtl = high.TombstoneTtl ?? low.TombstoneTtl,
        ConflictRetention = high.ConflictRetention is null ? low.ConflictRetention : new ConflictRetentionConfig
        {
            MaxAge = high.ConflictRetention.MaxAge ?? low.ConflictRetention?.MaxAge,
            MaxEntries = high.ConflictRetention.MaxEntries ?? low.ConflictRetention?.MaxEntries,
        },
        Backup = high.Backup is null ? low.Backup : new BackupConfig
        {
            Url = high.Backup.Url ?? low.Backup?.Url,
            Endpoint = high.Backup.Endpoint ?? low.Backup?.Endpoint,
            Interval = high.Backup.Interval ?? low.Backup?.Interval,
            SnapshotInterval = high.Backup.SnapshotInterval ?? low.Backup?.SnapshotInterval,
            Retention = high.Backup.Retention ?? low.Backup?.Retention,
            Credentials = high.Backup.Credentials ?? low.Backup?.Credentials,
        },
        DrainTimeout = high.DrainTimeout ?? low.DrainTimeout,
        Paused = high.Paused ?? low.Paused,
    };
}
