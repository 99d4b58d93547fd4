using System.Text.Json.Nodes;
using K8sReplication.Packaging.Tests.Tools;

namespace K8sReplication.Packaging.Tests.Rbac;

/// <summary>One RBAC rule as Kubernetes evaluates it (no wildcards are expected in our chart, none are honoured).</summary>
public sealed record PolicyRule(IReadOnlyList<string> ApiGroups, IReadOnlyList<string> Resources, IReadOnlyList<string> Verbs, IReadOnlyList<string> ResourceNames)
{
    public static PolicyRule FromJson(JsonObject rule) => new(
        [.. rule["apiGroups"].Strings()], [.. rule["resources"].Strings()], [.. rule["verbs"].Strings()], [.. rule["resourceNames"].Strings()]);

    /// <summary>Whether this rule grants <paramref name="verb"/> on group/resource[/subresource] (named <paramref name="name"/>).</summary>
    public bool Allows(string verb, string group, string resource, string? name) =>
        ApiGroups.Contains(group) && Resources.Contains(resource) && Verbs.Contains(verb)
        && (ResourceNames.Count == 0 || (name is not null && ResourceNames.Contains(name)));

    /// <summary>Every (verb, group, resource) triple the rule grants.</summary>
    public IEnumerable<string> Grants() =>
        from g in ApiGroups from r in Resources from v in Verbs select RbacGrant.Format(v, g, r);
}
