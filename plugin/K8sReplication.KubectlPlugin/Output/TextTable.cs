using System.Text;
using System.Text.RegularExpressions;

namespace K8sReplication.KubectlPlugin.Output;

/// <summary>kubectl-style columns: upper-case headers, cells padded to the widest (colour codes not counted).</summary>
internal static partial class TextTable
{
    [GeneratedRegex("\e\\[[0-9;]*m")]
    private static partial Regex AnsiCode();

    public static string Render(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        var widths = headers.Select((h, i) => rows.Select(r => Visible(r[i])).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows.Prepend(headers))
        {
            for (var i = 0; i < row.Count; i++)
            {
                text.Append(row[i]);
                if (i < row.Count - 1)
                {
                    text.Append(' ', widths[i] - Visible(row[i]) + 3);
                }
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    private static int Visible(string cell) => AnsiCode().Replace(cell, "").Length;
}
