namespace K8sReplication.Contracts;

/// <summary>Environment variables the sidecar reads; each mirrors one command-line flag.</summary>
public static class EnvVars
{
    /// <summary><c>--database</c>.</summary>
    public const string Database = "K8SREPL_DATABASE";

    /// <summary><c>--tables</c> (comma separated).</summary>
    public const string Tables = "K8SREPL_TABLES";

    /// <summary><c>--node-name</c>.</summary>
    public const string NodeName = "K8SREPL_NODE_NAME";

    /// <summary><c>--listen</c>.</summary>
    public const string Listen = "K8SREPL_LISTEN";

    /// <summary><c>--admin-listen</c>.</summary>
    public const string AdminListen = "K8SREPL_ADMIN_LISTEN";

    /// <summary><c>--peer</c> (comma separated <c>NAME=URL</c> entries).</summary>
    public const string Peers = "K8SREPL_PEERS";

    /// <summary><c>--config</c>.</summary>
    public const string ConfigFile = "K8SREPL_CONFIG";

    /// <summary><c>--token-file</c>.</summary>
    public const string TokenFile = "K8SREPL_TOKEN_FILE";

    /// <summary><c>--anti-entropy-interval</c>.</summary>
    public const string AntiEntropyInterval = "K8SREPL_ANTI_ENTROPY_INTERVAL";

    /// <summary><c>--drain-timeout</c>.</summary>
    public const string DrainTimeout = "K8SREPL_DRAIN_TIMEOUT";

    /// <summary><c>--tombstone-ttl</c>.</summary>
    public const string TombstoneTtl = "K8SREPL_TOMBSTONE_TTL";

    /// <summary><c>--state-dir</c>.</summary>
    public const string StateDir = "K8SREPL_STATE_DIR";

    /// <summary><c>--backup-url</c>.</summary>
    public const string BackupUrl = "K8SREPL_BACKUP_URL";

    /// <summary><c>--backup-endpoint</c>.</summary>
    public const string BackupEndpoint = "K8SREPL_BACKUP_ENDPOINT";

    /// <summary><c>--backup-interval</c>.</summary>
    public const string BackupInterval = "K8SREPL_BACKUP_INTERVAL";

    /// <summary><c>--snapshot-interval</c>.</summary>
    public const string SnapshotInterval = "K8SREPL_SNAPSHOT_INTERVAL";

    /// <summary><c>--backup-retention</c>.</summary>
    public const string BackupRetention = "K8SREPL_BACKUP_RETENTION";

    /// <summary><c>--tls-cert</c>.</summary>
    public const string TlsCert = "K8SREPL_TLS_CERT";

    /// <summary><c>--tls-key</c>.</summary>
    public const string TlsKey = "K8SREPL_TLS_KEY";

    /// <summary><c>--tls-ca</c>.</summary>
    public const string TlsCa = "K8SREPL_TLS_CA";

    /// <summary><c>--transport</c>.</summary>
    public const string Transport = "K8SREPL_TRANSPORT";

    /// <summary><c>--redis-url</c>.</summary>
    public const string RedisUrl = "K8SREPL_REDIS_URL";

    /// <summary><c>--redis-password-file</c>.</summary>
    public const string RedisPasswordFile = "K8SREPL_REDIS_PASSWORD_FILE";

    /// <summary><c>--redis-ca-file</c>.</summary>
    public const string RedisCaFile = "K8SREPL_REDIS_CA_FILE";

    /// <summary><c>--redis-key-prefix</c>.</summary>
    public const string RedisKeyPrefix = "K8SREPL_REDIS_KEY_PREFIX";

    /// <summary><c>--redis-stream-max-len</c>.</summary>
    public const string RedisStreamMaxLen = "K8SREPL_REDIS_STREAM_MAX_LEN";
}
