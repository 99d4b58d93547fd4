namespace K8sReplication.Observability.Metrics;

/// <summary>
/// Lets a series table be probed with the measurement's tag span directly, so recording into an
/// existing series allocates nothing; a <see cref="LabelSet"/> is only created for a new series.
/// </summary>
internal sealed class LabelSetComparer
    : IEqualityComparer<LabelSet>, IAlternateEqualityComparer<ReadOnlySpan<KeyValuePair<string, object?>>, LabelSet>
{
    public static readonly LabelSetComparer Instance = new();

    public bool Equals(LabelSet? x, LabelSet? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.HashCode == y.HashCode && x.Matches(y.Tags));

    public int GetHashCode(LabelSet obj) => obj.HashCode;

    public bool Equals(ReadOnlySpan<KeyValuePair<string, object?>> alternate, LabelSet other) => other.Matches(alternate);

    public int GetHashCode(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => LabelSet.ComputeHash(alternate);

    public LabelSet Create(ReadOnlySpan<KeyValuePair<string, object?>> alternate) => LabelSet.From(alternate);
}
