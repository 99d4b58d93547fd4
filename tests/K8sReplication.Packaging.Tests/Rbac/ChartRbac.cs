using System.Text.Json.Nodes;
using K8sReplication.Packaging.Tests.Tools;
using K8sReplication.TestKit.Kube;

namespace K8sReplication.Packaging.Tests.Rbac;

/// <summary>The rules a chart render grants the operator's ServiceAccount: cluster-wide, and per namespace.</summary>
public sealed class ChartRbac
{
    private readonly List<PolicyRule> _clusterRules = [];
    private readonly Dictionary<string, List<PolicyRule>> _namespacedRules = new(StringComparer.Ordinal);

    public ChartRbac(IReadOnlyList<JsonObject> rendered, string serviceAccount, string serviceAccountNamespace)
    {
        var roles = rendered.Where(o => o.Kind() is "ClusterRole" or "Role")
            .ToDictionary(o => (o.Kind(), o.Name(), (string?)o["metadata"]!["namespace"]));
        foreach (var binding in rendered.Where(o => o.Kind() is "ClusterRoleBinding" or "RoleBinding"))
        {
            var boundToUs = binding["subjects"].Items().Any(s => (string?)s["kind"] == "ServiceAccount"
                && (string?)s["name"] == serviceAccount && (string?)s["namespace"] == serviceAccountNamespace);
            if (!boundToUs)
            {
                continue;
            }

            var bindingNamespace = (string?)binding["metadata"]!["namespace"];
            var roleRef = binding["roleRef"]!;
            var roleKind = (string)roleRef["kind"]!;
            var role = roles[(roleKind, (string)roleRef["name"]!, roleKind == "Role" ? bindingNamespace : null)];
            var rules = role["rules"].Items().Select(PolicyRule.FromJson).ToList();
            if (binding.Kind() == "ClusterRoleBinding")
            {
                _clusterRules.AddRange(rules);
            }
            else
            {
                var list = _namespacedRules.TryGetValue(bindingNamespace!, out var existing) ? existing : _namespacedRules[bindingNamespace!] = [];
                list.AddRange(rules);
            }
        }
    }

    /// <summary>Whether the ServiceAccount may do <paramref name="verb"/> on the resource in <paramref name="namespace"/> (null: cluster-wide).</summary>
    public bool Allows(string verb, string group, string resource, string? @namespace, string? name) =>
        _clusterRules.Any(r => r.Allows(verb, group, resource, name))
        || (@namespace is not null && _namespacedRules.TryGetValue(@namespace, out var rules) && rules.Any(r => r.Allows(verb, group, resource, name)));

    /// <summary>The recorded API calls these rules do not allow, one line each ("verb group/resource ns=... name=...").</summary>
    public IReadOnlyList<string> Denied(IEnumerable<RecordedRequest> calls) => calls
        .Where(r => r.Group is not null)
        .Where(r => !Allows(r.Verb, r.Group!, r.Subresource is null ? r.Resource : $"{r.Resource}/{r.Subresource}", r.Namespace, r.Name))
        .Select(r => $"{r.Verb} {r.Group}/{r.Resource}{(r.Subresource is null ? "" : "/" + r.Subresource)} ns={r.Namespace ?? "-"} name={r.Name ?? "-"}")
        .Distinct()
        .ToList();

    /// <summary>Every permission granted anywhere (cluster or any namespace).</summary>
    public IReadOnlySet<string> AllGrants() =>
        _clusterRules.Concat(_namespacedRules.Values.SelectMany(r => r)).SelectMany(r => r.Grants()).ToHashSet(StringComparer.Ordinal);
}
