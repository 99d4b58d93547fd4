namespace K8sReplication.Bench.Suite;

/// <summary>
/// One line of the table: our figure next to its reference (the physical limit or a peer system measured in the same
/// run), the ratio ours / reference, and the target with met/missed when there is one.
/// <c>Better</c> is "lower" or "higher": which direction of the figure is better (for the target check). A target on
/// the ratio (<c>TargetOnRatio</c>) is checked against ours / reference instead of our figure.
/// </summary>
internal sealed record ResultRow(string Section, string Name, Sample? Ours, string? ReferenceName, Sample? Reference,
    string? Target = null, double? TargetValue = null, string Better = "lower", string? Note = null, bool TargetOnRatio = false)
{
    public double? Ratio => Ours is { Count: > 0 } o && Reference is { Count: > 0 } r && r.Median != 0 ? o.Median / r.Median : null;

    public bool? Met => TargetValue is { } t && (TargetOnRatio ? Ratio : Ours is { Count: > 0 } o ? o.Median : null) is { } value
        ? (Better == "lower" ? value <= t : value >= t)
        : null;
}
