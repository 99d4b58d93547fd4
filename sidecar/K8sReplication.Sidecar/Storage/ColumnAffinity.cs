using System.Text.RegularExpressions;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// SQLite's type affinity of a column, from its declared type (the rules of "Determination Of Column Affinity"), and
/// whether a value keeps its storage class when stored in such a column. Primary-key values must: a key that SQLite
/// would convert (integer 1 into a TEXT column becomes '1') would identify a different row than its version entry.
/// </summary>
internal enum ColumnAffinity
{
    Blob,
    Text,
    Numeric,
    Integer,
    Real,
}

/// <summary>Affinity rules (see <see cref="ColumnAffinity"/>).</summary>
internal static partial class ColumnAffinities
{
    public static ColumnAffinity FromDeclaredType(string? declared)
    {
        var type = (declared ?? "").ToUpperInvariant();
        return type.Contains("INT", StringComparison.Ordinal) ? ColumnAffinity.Integer
            : type.Contains("CHAR", StringComparison.Ordinal) || type.Contains("CLOB", StringComparison.Ordinal) || type.Contains("TEXT", StringComparison.Ordinal) ? ColumnAffinity.Text
            : type.Length == 0 || type.Contains("BLOB", StringComparison.Ordinal) ? ColumnAffinity.Blob
            : type.Contains("REAL", StringComparison.Ordinal) || type.Contains("FLOA", StringComparison.Ordinal) || type.Contains("DOUB", StringComparison.Ordinal) ? ColumnAffinity.Real
            : ColumnAffinity.Numeric;
    }

    /// <summary>
    /// True when SQLite stores <paramref name="value"/> unchanged in a column of this affinity. A rowid alias
    /// (INTEGER PRIMARY KEY) takes integers only. Blobs are never converted; NULL is the caller's business.
    /// </summary>
    public static bool Keeps(this ColumnAffinity affinity, object? value, bool rowidAlias = false)
    {
        if (rowidAlias)
        {
            return value is long;
        }

        return (affinity, value) switch
        {
            (_, null or byte[]) => true,
            (ColumnAffinity.Blob, _) => true,
            (ColumnAffinity.Text, string) => true,
            (ColumnAffinity.Text, _) => false,
            (ColumnAffinity.Numeric or ColumnAffinity.Integer, long) => true,
            (ColumnAffinity.Numeric or ColumnAffinity.Integer, double d) => !IsExactInteger(d),
            (ColumnAffinity.Real, double) => true,
            (ColumnAffinity.Real, long) => false,
            (_, string s) => !NumericLiteral().IsMatch(s),
            _ => false,
        };
    }

    /// <summary>A real SQLite turns into an integer in a NUMERIC/INTEGER column: integral and within 64 bits.</summary>
    private static bool IsExactInteger(double d) =>
        Math.Floor(d) == d && d >= -9.2233720368547758E18 && d < 9.2233720368547758E18;

    /// <summary>Text SQLite reads as a number under numeric affinity (decimal literal, optional sign, exponent, spaces).</summary>
    [GeneratedRegex(@"^[ \t\n\v\f\r]*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t\n\v\f\r]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NumericLiteral();
}
