using System.Text.RegularExpressions;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Kube;
using YamlDotNet.RepresentationModel;

namespace K8sReplication.Operator.Tests.Integration;

/// <summary>The RBAC rules documented in docs/operator-rbac.md, checked against the requests the operator really made.</summary>
internal static partial class RbacDocument
{
    public static void AssertAllows(IEnumerable<RecordedRequest> requests)
    {
        var rules = Rules();
        var denied = requests
            .Where(r => r.UserAgent.Contains("k8srepl-operator", StringComparison.Ordinal) && r.Group is not null)
            .Select(r => (r.Group!, Resource: r.Subresource is null ? r.Resource : r.Resource + "/" + r.Subresource, r.Verb))
            .Distinct()
            .Where(call => !rules.Contains(call))
            .ToList();
        Assert.True(denied.Count == 0, "requests not covered by docs/operator-rbac.md: " + string.Join(", ", denied));
    }

    private static HashSet<(string Group, string Resource, string Verb)> Rules()
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "operator-rbac.md"));
        var yaml = YamlBlock().Match(text).Groups[1].Value;
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var rules = new HashSet<(string, string, string)>();
        foreach (YamlMappingNode rule in ((YamlSequenceNode)((YamlMappingNode)stream.Documents[0].RootNode)["rules"]).Children.Cast<YamlMappingNode>())
        {
            foreach (var group in Values(rule, "apiGroups"))
            {
                foreach (var resource in Values(rule, "resources"))
                {
                    foreach (var verb in Values(rule, "verbs"))
                    {
                        rules.Add((group, resource, verb));
                    }
                }
            }
        }

        return rules;
    }

    private static IEnumerable<string> Values(YamlMappingNode rule, string key) =>
        ((YamlSequenceNode)rule[key]).Children.Select(n => ((YamlScalarNode)n).Value ?? "");

    [GeneratedRegex("```yaml\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
