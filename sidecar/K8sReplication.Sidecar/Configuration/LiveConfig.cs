using System.Text.Json;
using K8sReplication.Contracts.Config;
using K8sReplication.Contracts.Json;

namespace K8sReplication.Sidecar.Configuration;

/// <summary>
/// The configuration in force. Composed as base &lt; file &lt; environment &lt; flags &lt; desired (dynamic fields only),
/// always through <see cref="SidecarConfigValidator"/>; a rejected candidate leaves the current settings untouched.
/// The desired layer is the operator's document for this member, from the push or the file, whichever carries the
/// newer generation (<see cref="Desired"/>). The last push is persisted under the state dir so a restart keeps it.
/// </summary>
internal sealed partial class LiveConfig
{
    public const string PersistedFileName = "last-good-config.json";

    private readonly Lock _gate = new();
    private readonly SidecarConfig _base;
    private readonly SidecarConfig _environment;
    private readonly SidecarConfig _flags;
    private readonly ILogger _logger;
    private SidecarConfig? _file;
    private SidecarConfig? _pushed;

    private LiveConfig(SidecarConfig @base, SidecarConfig environment, SidecarConfig flags, string? configFile, ILogger logger)
    {
        _base = @base;
        _environment = environment;
        _flags = flags;
        ConfigFile = configFile;
        _logger = logger;
        Current = null!;
    }

    /// <summary>Raised after new settings are in force (outside any lock).</summary>
    public event Action<SidecarSettings>? Changed;

    public SidecarSettings Current { get; private set; }

    /// <summary>
    /// The settings in force when the process started: what its start-time parts (the transport and its Redis link,
    /// the threads' niceness) were built from. A later config changes them only at the next start.
    /// </summary>
    public SidecarSettings Startup { get; private set; } = null!;

    /// <summary>Config keys whose value in force differs from the one the process started with (see <see cref="Startup"/>).</summary>
    public IReadOnlyList<string> PendingRestart => StartTimeChanges(Startup, Current);

    public string? ConfigFile { get; }

    /// <summary>Composes the start-up config; throws <see cref="ConfigRejectedException"/> listing every error.</summary>
    public static LiveConfig Load(IReadOnlyList<string> args, Func<string, string?> getVariable, ILogger logger)
    {
        var errors = new List<ConfigError>();
        var flags = CommandLineParser.Parse(args, errors);
        var env = EnvironmentConfigReader.Read(getVariable, errors);
        if (errors.Count > 0)
        {
            throw new ConfigRejectedException(errors);
        }

        // The host name is a fallback outside Kubernetes; host names are case-insensitive and node names lowercase.
        var nodeName = getVariable(Contracts.WellKnown.PodNameEnv) is { Length: > 0 } pod ? pod : Environment.MachineName.ToLowerInvariant();
        var live = new LiveConfig(new SidecarConfig { NodeName = nodeName }, env.Config, flags.Config, flags.ConfigFile ?? env.ConfigFile, logger);
        live._file = live.ConfigFile is null ? null : ConfigFileReader.ReadFileIfPresent(live.ConfigFile);
        if (live.ConfigFile is not null && live._file is null)
        {
            LogFileMissing(logger, live.ConfigFile);
        }
        var candidate = live.Compose(live._file, null);
        var validation = SidecarConfigValidator.Validate(candidate, out var settings);
        if (validation.Count > 0)
        {
            throw new ConfigRejectedException(validation);
        }

        live.Current = settings!;
        live.RestorePersisted();
        live.Startup = live.Current;
        return live;
    }

    /// <summary>The start-time config keys that differ between <paramref name="started"/> and <paramref name="now"/>.</summary>
    internal static IReadOnlyList<string> StartTimeChanges(SidecarSettings started, SidecarSettings now)
    {
        var keys = new List<string>();
        if ((started.Redis is null) != (now.Redis is null))
        {
            keys.Add("hotPath.transport");
        }
        else if (started.Redis is { } a && now.Redis is { } b)
        {
            if (a.Display != b.Display || a.Password != b.Password)
            {
                keys.Add("hotPath.redis.url");
            }

            if (a.KeyPrefix != b.KeyPrefix)
            {
                keys.Add("hotPath.redis.keyPrefix");
            }

            if (a.StreamMaxLen != b.StreamMaxLen)
            {
                keys.Add("hotPath.redis.streamMaxLen");
            }

            if (a.PasswordFile != b.PasswordFile)
            {
                keys.Add("hotPath.redis.passwordFile");
            }

            if (a.CaFile != b.CaFile)
            {
                keys.Add("hotPath.redis.caFile");
            }
        }

        if (started.Redis is not null && started.Mesh != now.Mesh)
        {
            // The mesh name is part of every stream key.
            keys.Add("mesh");
        }

        if (started.Niceness != now.Niceness)
        {
            keys.Add("hotPath.niceness");
        }

        return keys;
    }

    /// <summary>
    /// Applies a pushed config (operator). <see cref="PushOutcome.StaleGeneration"/> (409) when its generation is
    /// older than the one in force; <see cref="PushOutcome.Invalid"/> (400) for an implausible generation
    /// (<see cref="GenerationRule"/>), a change to a sidecar-local field, or a config the validator refuses.
    /// </summary>
    public PushOutcome Push(SidecarConfig pushed, out IReadOnlyList<ConfigError> errors)
    {
        SidecarSettings applied;
        lock (_gate)
        {
            errors = [];
            if (GenerationRule.CheckStep(pushed.Generation, Current.Generation) is { } implausible)
            {
                errors = [implausible];
                return PushOutcome.Invalid;
            }

            if (pushed.Generation is { } g && g < Current.Generation)
            {
                errors = [new ConfigError("generation", $"{g} is older than the generation in force ({Current.Generation})")];
                return PushOutcome.StaleGeneration;
            }

            errors = ConfigLayering.LocalFieldChanges(pushed, Current);
            if (errors.Count > 0)
            {
                return PushOutcome.Invalid;
            }

            // A push that names no generation keeps the one in force: the pushed layer sits above the file, so
            // leaving it unset would fall back to the file's generation (or 0) and let an older push in again.
            pushed = pushed with { Generation = pushed.Generation ?? Current.Generation };
            var dynamic = ConfigLayering.Dynamic(pushed);
            errors = SidecarConfigValidator.Validate(Compose(_file, dynamic), out var settings);
            if (errors.Count > 0)
            {
                return PushOutcome.Invalid;
            }

            _pushed = dynamic;
            Persist(dynamic, settings!.StateDir);
            applied = Current = settings;
        }

        Changed?.Invoke(applied);
        return PushOutcome.Applied;
    }

    /// <summary>Re-reads the config file; an invalid file is logged and the settings in force stay.</summary>
    public PushOutcome ReloadFile()
    {
        if (ConfigFile is null)
        {
            return PushOutcome.Unchanged;
        }

        SidecarSettings applied;
        lock (_gate)
        {
            IReadOnlyList<ConfigError> errors;
            SidecarConfig file;
            try
            {
                if (ConfigFileReader.ReadFileIfPresent(ConfigFile) is not { } present)
                {
                    // A file that disappears (ConfigMap entry removed) leaves the settings in force.
                    return PushOutcome.Unchanged;
                }

                file = present;
                if (Equal(file, _file))
                {
                    return PushOutcome.Unchanged;
                }

                errors = SidecarConfigValidator.Validate(Compose(file, _pushed), out var settings);
                if (errors.Count == 0)
                {
                    _file = file;
                    applied = Current = settings!;
                }
                else
                {
                    LogFileRejected(_logger, ConfigFile, string.Join("; ", errors));
                    return PushOutcome.Invalid;
                }
            }
            catch (ConfigRejectedException e)
            {
                LogFileRejected(_logger, ConfigFile, e.Message);
                return PushOutcome.Invalid;
            }
        }

        LogFileApplied(_logger, ConfigFile, applied.Generation);
        Changed?.Invoke(applied);
        return PushOutcome.Applied;
    }

    private SidecarConfig Compose(SidecarConfig? file, SidecarConfig? pushed) =>
        ConfigLayering.Merge(_base, file, _environment, _flags, Desired(file, pushed));

    /// <summary>
    /// The operator's desired config for this member reaches it twice: as its entry in the mesh's ConfigMap (the file,
    /// eventually, through the kubelet) and as a push (at once). Both carry the same document with its generation, and
    /// the one with the newer generation is the config in force, whichever channel brought it: a push only delivers the
    /// document sooner, and an operator that could not push (a member unreachable for a moment, an operator down) still
    /// reaches the member through the ConfigMap. A file without a generation is the pod's own config (not the
    /// operator's) and stays a lower layer under the push. Backup credentials only ever come in a push (the ConfigMap
    /// never holds them), so a newer file keeps the credentials of the last push.
    /// </summary>
    internal static SidecarConfig? Desired(SidecarConfig? file, SidecarConfig? pushed)
    {
        if (file?.Generation is not { } fileGeneration || fileGeneration <= (pushed?.Generation ?? 0))
        {
            return pushed;
        }

        var desired = ConfigLayering.Dynamic(file);
        return desired.Backup is { Credentials: null } backup && pushed?.Backup?.Credentials is { } credentials
            ? desired with { Backup = backup with { Credentials = credentials } }
            : desired;
    }

    private static bool Equal(SidecarConfig a, SidecarConfig? b) =>
        b is not null && JsonSerializer.Serialize(a, ContractsJsonContext.Default.SidecarConfig) == JsonSerializer.Serialize(b, ContractsJsonContext.Default.SidecarConfig);

    private void RestorePersisted()
    {
        if (Current.StateDir is null || !File.Exists(Path.Combine(Current.StateDir, PersistedFileName)))
        {
            return;
        }

        var path = Path.Combine(Current.StateDir, PersistedFileName);
        SidecarSettings? settings = null;
        try
        {
            var pushed = ConfigFileReader.Parse(ConfigFileReader.ReadBounded(path, path), path);

            // The saved copy is input too (a disk, a volume another container mounts): held to the push rules, so a
            // corrupted or planted generation cannot pin the member against every later push.
            IReadOnlyList<ConfigError> errors = GenerationRule.CheckStep(pushed.Generation, Current.Generation) is { } implausible
                ? [implausible]
                : SidecarConfigValidator.Validate(Compose(_file, ConfigLayering.Dynamic(pushed)), out settings);
            if (errors.Count == 0)
            {
                _pushed = ConfigLayering.Dynamic(pushed);
                Current = settings!;
                LogRestored(_logger, path, settings!.Generation);
            }
            else
            {
                LogFileRejected(_logger, path, string.Join("; ", errors));
            }
        }
        catch (Exception e) when (e is ConfigRejectedException or IOException or UnauthorizedAccessException)
        {
            LogFileRejected(_logger, path, e.Message);
        }
    }

    private void Persist(SidecarConfig pushed, string? stateDir)
    {
        if (stateDir is null)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(stateDir);
            var path = Path.Combine(stateDir, PersistedFileName);
            var temp = path + ".tmp";

            // Owner-only: a push may carry the backup credentials, which a restart must find again.
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            File.Delete(temp); // the mode applies when the file is created
            using (var stream = new FileStream(temp, options))
            {
                JsonSerializer.Serialize(stream, pushed, ContractsJsonContext.Default.SidecarConfig);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The config is in force either way; losing the copy only matters after a restart.
            LogPersistFailed(_logger, stateDir, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Config {Path} rejected, keeping the config in force: {Errors}")]
    private static partial void LogFileRejected(ILogger logger, string path, string errors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Config file {Path} does not exist yet; starting without it and watching for it")]
    private static partial void LogFileMissing(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Config file {Path} applied (generation {Generation})")]
    private static partial void LogFileApplied(ILogger logger, string path, long generation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restored last good config from {Path} (generation {Generation})")]
    private static partial void LogRestored(ILogger logger, string path, long generation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not persist the config under {StateDir}: {Error}")]
    private static partial void LogPersistFailed(ILogger logger, string stateDir, string error);
}
