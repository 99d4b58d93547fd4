using System.Text;

namespace K8sReplication.Observability.Metrics;

/// <summary>
/// The tags of one series as recorded (a private copy, in first-seen order). Equality ignores tag
/// order, so <c>{a,b}</c> and <c>{b,a}</c> are one series. The Prometheus label text is rendered once,
/// lazily, because a label set is immutable.
/// </summary>
internal sealed class LabelSet
{
    public static readonly LabelSet Empty = new([]);

    private string? _rendered;

    private LabelSet(KeyValuePair<string, object?>[] tags)
    {
        Tags = tags;
        HashCode = ComputeHash(tags);
    }

    public KeyValuePair<string, object?>[] Tags { get; }

    public int HashCode { get; }

    public static LabelSet From(ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        tags.IsEmpty ? Empty : new LabelSet(tags.ToArray());

    /// <summary>Order-independent: the sum of per-tag hashes.</summary>
    public static int ComputeHash(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = 0;
        foreach (var tag in tags)
        {
            hash = unchecked(hash + System.HashCode.Combine(tag.Key, tag.Value));
        }

        return hash;
    }

    public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length != Tags.Length)
        {
            return false;
        }

        foreach (var tag in tags)
        {
            if (!Contains(tag))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The label pairs as Prometheus text without braces, e.g. <c>peer="a",reason="stale"</c>:
    /// names sanitised and sorted (ordinal), a repeated name keeps its first value, values escaped.
    /// </summary>
    public string Rendered => _rendered ??= Render();

    private bool Contains(KeyValuePair<string, object?> tag)
    {
        foreach (var own in Tags)
        {
            if (string.Equals(own.Key, tag.Key, StringComparison.Ordinal) && Equals(own.Value, tag.Value))
            {
                return true;
            }
        }

        return false;
    }

    private string Render()
    {
        if (Tags.Length == 0)
        {
            return string.Empty;
        }

        var labels = new List<KeyValuePair<string, string>>(Tags.Length);
        foreach (var tag in Tags)
        {
            labels.Add(new(PrometheusNames.LabelName(tag.Key), PrometheusText.FormatTagValue(tag.Value)));
        }

        labels.Sort(static (x, y) => string.CompareOrdinal(x.Key, y.Key));
        var sb = new StringBuilder();
        string? previous = null;
        foreach (var label in labels)
        {
            if (label.Key == previous)
            {
                continue;
            }

            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            sb.Append(label.Key).Append("=\"");
            PrometheusText.AppendEscapedLabelValue(sb, label.Value);
            sb.Append('"');
            previous = label.Key;
        }

        return sb.ToString();
    }
}
