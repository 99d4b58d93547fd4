using System.Text;

namespace K8sReplication.Kube.Client;

/// <summary>Appends escaped query parameters, skipping empty values.</summary>
internal sealed class QueryString
{
    private readonly StringBuilder _sb;
    private bool _first = true;

    public QueryString(string path) => _sb = new StringBuilder(path);

    public QueryString Add(string name, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return this;
        }

        _sb.Append(_first ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        _first = false;
        return this;
    }

    public override string ToString() => _sb.ToString();
}
