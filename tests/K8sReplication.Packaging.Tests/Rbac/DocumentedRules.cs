using System.Text.RegularExpressions;
using K8sReplication.Packaging.Tests.Tools;
using K8sReplication.TestKit;

namespace K8sReplication.Packaging.Tests.Rbac;

/// <summary>
/// The operator's documented RBAC needs: the YAML rule blocks of docs/operator-rbac.md (written by the operator's
/// authors) when that file exists, otherwise the list derived from the operator's code (kept here until the doc lands).
/// </summary>
public static partial class DocumentedRules
{
    public static string DocPath => Path.Combine(RepoPaths.Root, "docs", "operator-rbac.md");

    /// <summary>
    /// Until the doc lands: the calls the operator's code makes (official-client calls in operator/ and the Kube library's
    /// informers, event recorder and leader elector), plus "update replicationmeshes/finalizers" for blockOwnerDeletion.
    /// </summary>
    private static readonly string[] FromCode =
    [
        "list replication.k8srepl.dev/replicationmeshes",
        "watch replication.k8srepl.dev/replicationmeshes", "patch replication.k8srepl.dev/replicationmeshes",
        "update replication.k8srepl.dev/replicationmeshes/status",
        "update replication.k8srepl.dev/replicationmeshes/finalizers",
        "list core/pods", "watch core/pods",
        "get core/configmaps", "list core/configmaps", "watch core/configmaps", "create core/configmaps", "update core/configmaps",
        "get core/secrets", "list core/secrets", "watch core/secrets", "create core/secrets", "update core/secrets",
        "create events.k8s.io/events", "patch events.k8s.io/events",
        "get networking.k8s.io/networkpolicies", "list networking.k8s.io/networkpolicies", "watch networking.k8s.io/networkpolicies",
        "create networking.k8s.io/networkpolicies", "update networking.k8s.io/networkpolicies", "delete networking.k8s.io/networkpolicies",
        "get coordination.k8s.io/leases", "create coordination.k8s.io/leases", "update coordination.k8s.io/leases",
    ];

    public static bool FromDoc => File.Exists(DocPath);

    public static IReadOnlySet<string> Grants()
    {
        if (!FromDoc)
        {
            return FromCode.ToHashSet(StringComparer.Ordinal);
        }

        var text = File.ReadAllText(DocPath);
        var rules = YamlBlock().Matches(text)
            .Select(m => m.Groups[1].Value)
            .Where(block => block.Contains("apiGroups", StringComparison.Ordinal))
            .SelectMany(block => Yaml.LoadObjects(block.Contains("rules:", StringComparison.Ordinal) ? block : "rules:\n" + block)
                .SelectMany(doc => doc["rules"].Items()))
            .Select(PolicyRule.FromJson)
            .ToList();
        Assert.True(rules.Count > 0, $"{DocPath} has no ```yaml block with RBAC rules (apiGroups/resources/verbs)");
        return rules.SelectMany(r => r.Grants()).ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex(@"```ya?ml\s*\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
