namespace K8sReplication.Sidecar.Configuration;

/// <summary>
/// Which config generations are plausible. The operator moves a mesh's generation by one per config change
/// (<c>1 + max(mesh status, ConfigMap annotation, members' generations)</c>), so a real generation is small and a
/// push is at most a little above the generation in force. A push far above it (2^63-1, say) would be accepted and
/// persisted, and every later honest push refused as stale: this rule refuses it instead.
/// </summary>
internal static class GenerationRule
{
    /// <summary>
    /// Largest generation: 2^53-1, the largest integer every JSON reader holds exactly (a double's mantissa), so the
    /// generation survives any tool that reads <c>/v1/status</c>. One change a millisecond would take 285,000 years.
    /// </summary>
    public const long Max = (1L << 53) - 1;

    /// <summary>
    /// Largest step above the generation in force: 2^32. Honest steps are small — one per change, or a jump to the
    /// mesh's generation when a member without saved state (a fresh pod) first hears from the operator — and a mesh
    /// does not see four billion config changes.
    /// </summary>
    public const long MaxStep = 1L << 32;

    /// <summary>The error for a generation outside 0..<see cref="Max"/>, or null. Applies to every source.</summary>
    public static ConfigError? CheckRange(long? generation) => generation switch
    {
        < 0 => new ConfigError("generation", $"must not be negative, got {generation}"),
        > Max => new ConfigError("generation", $"{generation} is implausible (the largest accepted is {Max})"),
        _ => null,
    };

    /// <summary>
    /// The error for a generation offered to replace <paramref name="inForce"/> (a push, or a saved push at restart)
    /// that is out of range or more than <see cref="MaxStep"/> above it, or null. Older generations pass here: they
    /// are stale (409), not implausible.
    /// </summary>
    public static ConfigError? CheckStep(long? generation, long inForce) =>
        CheckRange(generation) ?? (generation - inForce > MaxStep
            ? new ConfigError("generation", $"{generation} is implausible: more than {MaxStep} above the generation in force ({inForce})")
            : null);
}
