using System.Globalization;

namespace K8sReplication.Contracts.Config;

/// <summary>
/// Parses and formats the duration strings used in flags, config files and the CRD: a whole number followed by
/// <c>ms</c>, <c>s</c>, <c>m</c> or <c>h</c> (<c>500ms</c>, <c>5s</c>, <c>2m</c>, <c>1h</c>), or a sequence of them
/// (<c>1m30s</c>), as Kubernetes and Go spell durations.
/// </summary>
public static class Durations
{
    /// <summary>Parses <paramref name="text"/>; false when it is empty, negative, unit-less or overflowing.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        long totalMs = 0;
        while (!span.IsEmpty)
        {
            var digits = 0;
            while (digits < span.Length && char.IsAsciiDigit(span[digits]))
            {
                digits++;
            }

            if (digits == 0 || !long.TryParse(span[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            span = span[digits..];
            long unitMs;
            if (span.StartsWith("ms", StringComparison.Ordinal))
            {
                unitMs = 1;
                span = span[2..];
            }
            else if (span.StartsWith("s", StringComparison.Ordinal))
            {
                unitMs = 1000;
                span = span[1..];
            }
            else if (span.StartsWith("m", StringComparison.Ordinal))
            {
                unitMs = 60_000;
                span = span[1..];
            }
            else if (span.StartsWith("h", StringComparison.Ordinal))
            {
                unitMs = 3_600_000;
                span = span[1..];
            }
            else
            {
                return false;
            }

            try
            {
                totalMs = checked(totalMs + checked(n * unitMs));
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        if (totalMs > (long)TimeSpan.MaxValue.TotalMilliseconds)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    /// <summary>Formats a duration the shortest way <see cref="TryParse"/> reads back exactly.</summary>
    public static string Format(TimeSpan value)
    {
        var ms = (long)value.TotalMilliseconds;
        if (ms == 0)
        {
            return "0s";
        }

        if (ms % 3_600_000 == 0)
        {
            return (ms / 3_600_000).ToString(CultureInfo.InvariantCulture) + "h";
        }

        if (ms % 60_000 == 0)
        {
            return (ms / 60_000).ToString(CultureInfo.InvariantCulture) + "m";
        }

        return ms % 1000 == 0
            ? (ms / 1000).ToString(CultureInfo.InvariantCulture) + "s"
            : ms.ToString(CultureInfo.InvariantCulture) + "ms";
    }
}
