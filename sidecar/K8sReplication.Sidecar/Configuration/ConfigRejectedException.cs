namespace K8sReplication.Sidecar.Configuration;

/// <summary>A configuration source was invalid; carries every error with its key. Never transient.</summary>
internal sealed class ConfigRejectedException : Exception
{
    public ConfigRejectedException(IReadOnlyList<ConfigError> errors)
        : base(string.Join("; ", errors))
    {
        Errors = errors;
    }

    public ConfigRejectedException()
        : this([])
    {
    }

    public ConfigRejectedException(string message)
        : this([new ConfigError("config", message)])
    {
    }

    public ConfigRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new ConfigError("config", message)];
    }

    public IReadOnlyList<ConfigError> Errors { get; }

    public static bool IsTransient => false;
}
