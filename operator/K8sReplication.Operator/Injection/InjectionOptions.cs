namespace K8sReplication.Operator.Injection;

/// <summary>What the webhook injects: the sidecar's image, how it is added, and its resources (from the operator's flags).</summary>
internal sealed record InjectionOptions
{
    public const SidecarMode DefaultMode = SidecarMode.Native;

    /// <summary>Sidecar image (<c>--sidecar-image</c>); required when the webhook is on.</summary>
    public string Image { get; init; } = "";

    /// <summary><c>--sidecar-mode native|classic</c>.</summary>
    public SidecarMode Mode { get; init; } = DefaultMode;

    /// <summary>Resource requests (<c>--sidecar-requests cpu=50m,memory=64Mi</c>); empty: none.</summary>
    public IReadOnlyDictionary<string, string> Requests { get; init; } = new Dictionary<string, string>();

    /// <summary>Resource limits (<c>--sidecar-limits memory=256Mi</c>); empty: none.</summary>
    public IReadOnlyDictionary<string, string> Limits { get; init; } = new Dictionary<string, string>();
}
