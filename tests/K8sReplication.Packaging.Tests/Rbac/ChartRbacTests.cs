using K8sReplication.Packaging.Tests.Chart;
using K8sReplication.Packaging.Tests.Tools;

namespace K8sReplication.Packaging.Tests.Rbac;

public sealed class ChartRbacTests
{
    private const string ServiceAccount = "k8srepl-k8s-replication";

    [Fact]
    public async Task ChartGrants_AreExactlyTheDocumentedRules()
    {
        // Leader election on, so the Lease rules are rendered too.
        var rbac = new ChartRbac(await ChartFiles.RenderAsync("--set", "replicaCount=2"), ServiceAccount, ChartFiles.Namespace);
        var granted = rbac.AllGrants();
        var documented = DocumentedRules.Grants();
        var source = DocumentedRules.FromDoc ? DocumentedRules.DocPath : "the rule list derived from the operator's code (docs/operator-rbac.md not written yet)";
        Assert.True(documented.Except(granted).ToList() is { Count: 0 } missing,
            $"documented in {source} but not granted by the chart:\n{string.Join('\n', documented.Except(granted))}");
        Assert.True(granted.Except(documented).ToList() is { Count: 0 },
            $"granted by the chart but not documented in {source} (least privilege):\n{string.Join('\n', granted.Except(documented))}");
    }

    [Fact]
    public async Task Rules_HaveNoWildcardsAndNoSecretListing()
    {
        var objects = await ChartFiles.RenderAsync("-f", ChartFiles.AllFeaturesValues);
        var rules = objects.Where(o => o.Kind() is "ClusterRole" or "Role").SelectMany(o => o["rules"].Items()).Select(PolicyRule.FromJson).ToList();
        Assert.NotEmpty(rules);
        Assert.All(rules, r =>
        {
            Assert.DoesNotContain("*", r.ApiGroups);
            Assert.DoesNotContain("*", r.Resources);
            Assert.DoesNotContain("*", r.Verbs);
            Assert.DoesNotContain("escalate", r.Verbs);
            Assert.DoesNotContain("bind", r.Verbs);
            Assert.DoesNotContain("impersonate", r.Verbs);
        });
        // Secrets: read one by name, never list or watch every Secret of the cluster.
        var secretVerbs = rules.Where(r => r.Resources.Contains("secrets")).SelectMany(r => r.Verbs).Distinct().ToList();
        Assert.Equal(["get"], secretVerbs);
    }

    [Fact]
    public async Task LeaseRules_AreGrantedOnlyInTheLeaseNamespace_AndOnlyWithLeaderElection()
    {
        var withElection = new ChartRbac(await ChartFiles.RenderAsync("--set", "replicaCount=2"), ServiceAccount, ChartFiles.Namespace);
        Assert.True(withElection.Allows("update", "coordination.k8s.io", "leases", ChartFiles.Namespace, "k8srepl-operator"));
        Assert.False(withElection.Allows("update", "coordination.k8s.io", "leases", "other", "k8srepl-operator"));

        var single = new ChartRbac(await ChartFiles.RenderAsync(), ServiceAccount, ChartFiles.Namespace);
        Assert.False(single.Allows("create", "coordination.k8s.io", "leases", ChartFiles.Namespace, null));
    }

    [Fact]
    public async Task NamespaceScope_GrantsTheSameRulesOnlyInTheWatchedNamespace()
    {
        var cluster = new ChartRbac(await ChartFiles.RenderAsync("--set", "leaderElection.enabled=true"), ServiceAccount, ChartFiles.Namespace);
        var scoped = new ChartRbac(await ChartFiles.RenderAsync("-f", ChartFiles.NamespaceScopeValues), ServiceAccount, ChartFiles.Namespace);
        Assert.Equal(cluster.AllGrants().Order(), scoped.AllGrants().Order());
        Assert.True(scoped.Allows("list", "", "pods", "apps", null));
        Assert.False(scoped.Allows("list", "", "pods", "other", null));
        Assert.False(scoped.Allows("list", "", "pods", null, null));
    }
}
