namespace K8sReplication.Sidecar.Storage;

/// <summary>Options of one replica store.</summary>
internal sealed class ReplicaStoreOptions
{
    public const int DefaultMerkleDepth = 4;
    public const int DefaultMaxBatchSize = 10_000;
    public const int DefaultCacheSizeKiB = 16 * 1024;
    public static readonly TimeSpan DefaultMaxClockSkew = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Path of the application's SQLite database file.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>Tables to replicate; null means every table with a primary key.</summary>
    public IReadOnlyList<string>? Tables { get; init; }

    /// <summary>Versions further ahead of local wall time are rejected.</summary>
    public TimeSpan MaxClockSkew { get; init; } = DefaultMaxClockSkew;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Merkle tree depth; fanout is 16, so there are 16^depth leaves (1..6).</summary>
    public int MerkleDepth { get; init; } = DefaultMerkleDepth;

    /// <summary>SQLite busy timeout for the store's connections.</summary>
    public TimeSpan BusyTimeout { get; init; } = DefaultBusyTimeout;

    /// <summary>Largest batch ApplyBatch accepts (bounds the write transaction so the app is not starved).</summary>
    public int MaxBatchSize { get; init; } = DefaultMaxBatchSize;

    /// <summary>
    /// When false, commits do not wait for the disk (PRAGMA synchronous = OFF): for a database built aside and synced
    /// once before it is used (a restore). A crash may then leave it corrupt, so never for a live database.
    /// </summary>
    public bool SyncCommits { get; init; } = true;

    /// <summary>
    /// SQLite page cache of the write connection in KiB (PRAGMA cache_size). The version index and the app's tables
    /// are probed at random positions on every fold and apply; with SQLite's 2 MiB default most probes miss the cache
    /// once a table outgrows it. Pages are allocated on demand, so an idle or small replica does not pay for it.
    /// </summary>
    public int CacheSizeKiB { get; init; } = DefaultCacheSizeKiB;

    /// <summary>
    /// Test hook: key ids narrowed to 16 buckets of 2^n slots, so that tests meet key-id collisions (a 64-bit hash does
    /// not collide in practice). Every replica of a test must use the same value: it also places rows in the Merkle tree.
    /// </summary>
    internal int? ForcedKeyIdBits { get; init; }
}
