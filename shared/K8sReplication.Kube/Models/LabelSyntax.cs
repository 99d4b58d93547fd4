using System.Text.RegularExpressions;

namespace K8sReplication.Kube.Models;

/// <summary>Validation of label keys and values (the API server's rules), so bad selectors fail before any request.</summary>
internal static partial class LabelSyntax
{
    public static void ValidateKey(string? key, string field)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new ArgumentException($"{field}: label key must not be empty");
        }

        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0)
        {
            var prefix = key[..slash];
            if (prefix.Length is 0 or > 253 || !DnsSubdomain().IsMatch(prefix))
            {
                throw new ArgumentException($"{field}: label key '{key}' has an invalid prefix (must be a DNS subdomain)");
            }
        }

        if (name.Length is 0 or > 63 || !NamePart().IsMatch(name))
        {
            throw new ArgumentException(
                $"{field}: label key '{key}' is invalid (name part: 1-63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric)");
        }
    }

    public static void ValidateValue(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (value.Length > 63 || !NamePart().IsMatch(value))
        {
            throw new ArgumentException(
                $"{field}: label value '{value}' is invalid (at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric)");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex NamePart();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
