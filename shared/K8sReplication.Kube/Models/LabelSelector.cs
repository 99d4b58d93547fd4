using System.Globalization;
using System.Text;

namespace K8sReplication.Kube.Models;

/// <summary>metav1.LabelSelector (matchLabels AND matchExpressions), convertible to the query-string form.</summary>
public sealed class LabelSelector
{
    public IDictionary<string, string>? MatchLabels { get; set; }

    public IList<LabelSelectorRequirement>? MatchExpressions { get; set; }

    /// <summary>
    /// The <c>labelSelector</c> query form, e.g. <c>app=db,tier in (a,b),!legacy</c>. Keys are sorted so equal
    /// selectors give equal strings. An empty selector gives "" (matches everything).
    /// </summary>
    /// <exception cref="ArgumentException">A key, value or operator is invalid; the message names it.</exception>
    public string ToQueryString()
    {
        var parts = new List<string>();
        if (MatchLabels is not null)
        {
            foreach (var (key, value) in MatchLabels.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                LabelSyntax.ValidateKey(key, "matchLabels");
                LabelSyntax.ValidateValue(value, $"matchLabels[{key}]");
                parts.Add(key + "=" + value);
            }
        }

        if (MatchExpressions is not null)
        {
            for (var i = 0; i < MatchExpressions.Count; i++)
            {
                parts.Add(Format(MatchExpressions[i], $"matchExpressions[{i}]"));
            }
        }

        return string.Join(",", parts);
    }

    private static string Format(LabelSelectorRequirement requirement, string field)
    {
        LabelSyntax.ValidateKey(requirement.Key, field + ".key");
        var values = requirement.Values ?? [];
        switch (requirement.Operator)
        {
            case "In":
            case "NotIn":
                if (values.Count == 0)
                {
                    throw new ArgumentException($"{field}.values must be non-empty for operator {requirement.Operator}");
                }

                var sb = new StringBuilder(requirement.Key)
                    .Append(requirement.Operator == "In" ? " in (" : " notin (");
                var sorted = values.OrderBy(v => v, StringComparer.Ordinal).ToList();
                for (var i = 0; i < sorted.Count; i++)
                {
                    LabelSyntax.ValidateValue(sorted[i], string.Create(CultureInfo.InvariantCulture, $"{field}.values[{i}]"));
                    sb.Append(i == 0 ? "" : ",").Append(sorted[i]);
                }

                return sb.Append(')').ToString();
            case "Exists":
            case "DoesNotExist":
                if (values.Count != 0)
                {
                    throw new ArgumentException($"{field}.values must be empty for operator {requirement.Operator}");
                }

                return requirement.Operator == "Exists" ? requirement.Key : "!" + requirement.Key;
            default:
                throw new ArgumentException(
                    $"{field}.operator '{requirement.Operator}' is not one of In, NotIn, Exists, DoesNotExist");
        }
    }
}
