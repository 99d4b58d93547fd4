using System.Globalization;

namespace K8sReplication.Sidecar.Streams;

/// <summary>A Redis stream entry id, <c>ms-seq</c>: ordered, and its first part the time Redis added the entry.</summary>
internal readonly record struct StreamId(ulong Milliseconds, ulong Sequence) : IComparable<StreamId>
{
    /// <summary>Parses a stored or returned id; null, empty or unparsable text is <c>0-0</c> (before every entry).</summary>
    public static StreamId Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return default;
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var ms = dash < 0 ? text : text[..dash];
        var seq = dash < 0 ? "0" : text[(dash + 1)..];
        return ulong.TryParse(ms, NumberStyles.None, CultureInfo.InvariantCulture, out var m) && ulong.TryParse(seq, NumberStyles.None, CultureInfo.InvariantCulture, out var s)
            ? new StreamId(m, s)
            : default;
    }

    /// <summary>The greatest id before this one (<c>0-0</c> stays <c>0-0</c>).</summary>
    public StreamId Previous() =>
        Sequence > 0 ? new StreamId(Milliseconds, Sequence - 1)
        : Milliseconds > 0 ? new StreamId(Milliseconds - 1, ulong.MaxValue)
        : default;

    public int CompareTo(StreamId other) =>
        Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Milliseconds}-{Sequence}");
}
