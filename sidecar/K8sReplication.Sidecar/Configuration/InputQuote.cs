using System.Globalization;
using System.Text;

namespace K8sReplication.Sidecar.Configuration;

/// <summary>
/// Makes client input safe to echo in error bodies and logs. Input is untrusted and unbounded (a 500 KB node name, an
/// ESC sequence that rewrites a terminal), so a message quotes at most <see cref="MaxQuotedChars"/> characters of it,
/// with control and formatting characters escaped as <c>\uXXXX</c>.
/// </summary>
internal static class InputQuote
{
    /// <summary>Most characters of one piece of client input an error message repeats.</summary>
    public const int MaxQuotedChars = 100;

    /// <summary>Longest error text (several errors joined) an error body or log line carries.</summary>
    public const int MaxMessageChars = 2000;

    /// <summary><paramref name="input"/> in single quotes, escaped and cut to <see cref="MaxQuotedChars"/>.</summary>
    public static string Quote(string? input) => "'" + Clean(input ?? "", MaxQuotedChars) + "'";

    /// <summary>
    /// <paramref name="text"/> with control characters escaped, cut to <paramref name="maxChars"/> characters of the
    /// original plus a note of how long it was, so a reader can tell the text was cut.
    /// </summary>
    public static string Clean(string text, int maxChars)
    {
        var cut = text.Length > maxChars;
        var span = cut ? text.AsSpan(0, maxChars) : text.AsSpan();
        if (!cut && !NeedsEscape(span))
        {
            return text;
        }

        var sb = new StringBuilder(span.Length + 32);
        foreach (var c in span)
        {
            if (IsUnsafe(c))
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        if (cut)
        {
            sb.Append("…(").Append(text.Length.ToString(CultureInfo.InvariantCulture)).Append(" chars)");
        }

        return sb.ToString();
    }

    /// <summary>
    /// A third-party message that may repeat input anywhere (a parser naming a member or a path): long ones keep their
    /// start and their end — where such messages say what is wrong — and lose the middle, so at most about
    /// <see cref="MaxQuotedChars"/> characters of input come back.
    /// </summary>
    public static string Abridge(string message)
    {
        const int head = 80;
        const int tail = 120;
        return message.Length <= head + tail
            ? Clean(message, head + tail)
            : Clean(message[..head], head) + "…" + Clean(message[^tail..], tail);
    }

    private static bool NeedsEscape(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (IsUnsafe(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Control characters (C0, DEL, C1), bidirectional overrides and other format characters, and lone surrogates
    /// (a cut may split a pair): everything that can change how the surrounding text is displayed or decoded.
    /// </summary>
    private static bool IsUnsafe(char c) =>
        char.IsControl(c) || char.IsSurrogate(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format;
}
