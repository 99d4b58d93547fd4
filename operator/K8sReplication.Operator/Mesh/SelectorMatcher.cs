using k8s.Models;
using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Operator.Mesh;

/// <summary>Evaluates a Kubernetes label selector against a label set, with the API server's semantics.</summary>
internal static class SelectorMatcher
{
    /// <summary>
    /// True when every requirement holds. An empty selector matches everything (as in Kubernetes); a null selector
    /// matches nothing.
    /// </summary>
    public static bool Matches(LabelSelector? selector, IReadOnlyDictionary<string, string>? labels)
    {
        if (selector is null)
        {
            return false;
        }

        labels ??= new Dictionary<string, string>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var requirement in selector.MatchExpressions ?? [])
        {
            var present = labels.TryGetValue(requirement.Key, out var actual);
            var values = requirement.Values ?? [];
            var holds = requirement.Operator switch
            {
                SelectorOperator.In => present && values.Contains(actual!, StringComparer.Ordinal),
                SelectorOperator.NotIn => !present || !values.Contains(actual!, StringComparer.Ordinal),
                SelectorOperator.Exists => present,
                SelectorOperator.DoesNotExist => !present,
                _ => false,
            };
            if (!holds)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The same for a selector as the official client reads it (NetworkPolicies, other objects' selectors). An
    /// operator this version does not know matches nothing, as an unknown requirement cannot hold.
    /// </summary>
    public static bool MatchesApiSelector(V1LabelSelector? selector, IReadOnlyDictionary<string, string>? labels) =>
        selector is not null && Matches(new LabelSelector
        {
            MatchLabels = selector.MatchLabels is null ? null : new Dictionary<string, string>(selector.MatchLabels, StringComparer.Ordinal),
            MatchExpressions = selector.MatchExpressions?
                .Select(e => new LabelSelectorRequirement
                {
                    Key = e.Key,
                    Operator = Enum.TryParse<SelectorOperator>(e.OperatorProperty, out var op) ? op : (SelectorOperator)(-1),
                    Values = e.Values is null ? null : [.. e.Values],
                })
                .ToList(),
        }, labels);
}
