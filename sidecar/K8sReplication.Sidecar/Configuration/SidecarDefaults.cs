using K8sReplication.Contracts;

namespace K8sReplication.Sidecar.Configuration;

/// <summary>Named defaults of every tunable not spelled in the contract DTOs.</summary>
internal static class SidecarDefaults
{
    public static readonly string Listen = "0.0.0.0:" + WellKnown.ReplicationPort;
    public static readonly string AdminListen = "0.0.0.0:" + WellKnown.AdminPort;
    public const string MaxClockSkew = "5m";

    /// <summary>The mesh name in Redis stream keys of a sidecar configured without one (flags, no operator).</summary>
    public const string StandaloneMesh = "default";
    public const string TombstoneTtl = "168h";
    public const string DrainTimeout = "30s";
    public const int MinBatchSize = 1;
    public const int MaxBatchSize = 10_000;
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan MinAntiEntropyInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Largest accepted request body (config pushes, row requests).</summary>
    public const long MaxRequestBodyBytes = 1 << 20;

    /// <summary>Largest number of keys one <c>POST /v1/rows</c> may ask for.</summary>
    public const int MaxRowKeysPerRequest = 10_000;

    /// <summary>Consecutive failures that open a peer's circuit.</summary>
    public const int PeerCircuitFailureThreshold = 5;

    /// <summary>How long an open peer circuit waits before one half-open probe.</summary>
    public static readonly TimeSpan PeerCircuitOpenTime = TimeSpan.FromSeconds(5);

    /// <summary>First and largest retry delay of a peer loop (full jitter below the cap).</summary>
    public static readonly TimeSpan BackoffInitial = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan BackoffMax = TimeSpan.FromSeconds(5);

    /// <summary>Consecutive database failures that open the local circuit.</summary>
    public const int DatabaseCircuitFailureThreshold = 3;
    public static readonly TimeSpan DatabaseCircuitOpenTime = TimeSpan.FromSeconds(2);

    /// <summary>How often the fold loop checks for app commits while they keep coming (PRAGMA data_version is a cheap local read).</summary>
    public static readonly TimeSpan FoldPollInterval = TimeSpan.FromMilliseconds(1);

    /// <summary>The fold loop polls at <see cref="FoldPollInterval"/> for this long after the last commit it saw.</summary>
    public static readonly TimeSpan FoldActiveWindow = TimeSpan.FromSeconds(1);

    /// <summary>Longest poll interval of a quiet database (the first write after a quiet spell waits at most this).</summary>
    public static readonly TimeSpan FoldIdlePollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>A check that finds more new captures than this per millisecond since the last check means the app is writing heavily (see FoldPacer).</summary>
    public const int FoldBusyEntries = 8;

    /// <summary>Poll interval while the app writes heavily: fewer, larger feed pages.</summary>
    public static readonly TimeSpan FoldBusyInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The app counts as paused (the fold may take the write lock) after this long without a commit.</summary>
    public static readonly TimeSpan FoldQuiet = TimeSpan.FromMilliseconds(100);

    /// <summary>Window over which the fold measures the app's write rate.</summary>
    public static readonly TimeSpan FoldRateWindow = TimeSpan.FromMilliseconds(250);

    /// <summary>Captures per <see cref="FoldRateWindow"/> above which the app writes heavily (the fold then waits for a pause).</summary>
    public const long FoldHeavyCaptures = 500;

    /// <summary>While the app writes sparsely, captures wait this long to be folded together in one short slice.</summary>
    public static readonly TimeSpan FoldSparseDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>Captures not folded yet at which the fold runs even while the app writes heavily (bounds the log).</summary>
    public const long FoldMaxBacklog = 200_000;

    /// <summary>
    /// Longest time the fold waits, once the app paused, while a peer still reads the capture log behind its head (see
    /// FoldPolicy): the fold and that reader's catch-up would share this member's CPU.
    /// </summary>
    public static readonly TimeSpan FoldReaderCatchUpMax = TimeSpan.FromSeconds(2);

    /// <summary>Pause between fold slices while the app writes: longer than the busy handler's first sleeps.</summary>
    public static readonly TimeSpan FoldSlicePause = TimeSpan.FromMilliseconds(5);

    /// <summary>How often the config file is checked for changes.</summary>
    public static readonly TimeSpan ConfigFilePollInterval = TimeSpan.FromSeconds(1);

    /// <summary>How long a start waits for its certificate and key while neither exists yet (see docs/security.md).</summary>
    public static readonly TimeSpan TlsIssueWait = TimeSpan.FromMinutes(5);
}
