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
}
