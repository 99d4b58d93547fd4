using K8sReplication.Packaging.Tests.Chart;
using K8sReplication.Packaging.Tests.Tools;

namespace K8sReplication.Packaging.Tests.Rbac;

public sealed class ChartRbacTests
{
    private const string ServiceAccount = "k8srepl-k8s-replication";

    [Fact]
    public async Task ChartGrants_AreExactlyTheDocumentedRules()
    {
        // Leader election and the injection webhook on, so the Lease and webhook rules are rendered too.
        var rbac = new ChartRbac(await ChartFiles.RenderAsync("--set", "replicaCount=2", "--set", "injection.enabled=true"), ServiceAccount, ChartFiles.Namespace);
        var granted = rbac.AllGrants();
        var documented = DocumentedRules.Grants();
        var source = DocumentedRules.FromDoc ? DocumentedRules.DocPath : "the rule list derived from the operator's code (docs/operator-rbac.md not written yet)";
        Assert.True(documented.Except(granted).ToList() is { Count: 0 } missing,
            $"documented in {source} but not granted by the chart:\n{string.Join('\n', documented.Except(granted))}");
        Assert.True(granted.Except(documented).ToList() is { Count: 0 },
            $"granted by the chart but not documented in {source} (least privilege):\n{string.Join('\n', granted.Except(documented))}");
    }

    [Fact]
    public async Task Rules_HaveNoWildcards_AndSecretsOnlyAsTheInformersNeedThem()
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
        // Secrets: the opted-in ones through label-selected informers (list, watch), a named one by get, the meshes'
        // certificate Secrets created and replaced (never deleted: they go with their mesh, never patched); with the
        // injection webhook (on in all-features), the webhook's own Secret: created if absent, read and renewed by name.
        var secretRules = rules.Where(r => r.Resources.Contains("secrets")).ToList();
        Assert.Equal(["create", "get", "list", "update", "watch"],
            secretRules.Where(r => r.ResourceNames.Count == 0 && r.Verbs.Contains("list")).SelectMany(r => r.Verbs).Distinct().Order());
        Assert.Equal(["create"], secretRules.Single(r => r.ResourceNames.Count == 0 && !r.Verbs.Contains("list")).Verbs);
        var named = secretRules.Single(r => r.ResourceNames.Count > 0);
        Assert.Equal(["k8srepl-k8s-replication-webhook-tls"], named.ResourceNames);
        Assert.Equal(["get", "update"], named.Verbs.Order());
    }

    [Fact]
    public async Task LeaseRules_AreGrantedOnlyInTheLeaseNamespace_AndOnlyWithLeaderElection()
    {
        var withElection = new ChartRbac(await ChartFiles.RenderAsync("--set", "replicaCount=2"), ServiceAccount, ChartFiles.Namespace);
        Assert.True(withElection.Allows("update", "coordination.k8s.io", "leases", ChartFiles.Namespace, "k8srepl-operator"));
        Assert.False(withElection.Allows("update", "coordination.k8s.io", "leases", "other", "k8srepl-operator"));
        // Only the operator's own Lease can be read or renewed; any other Lease in the namespace is out of reach.
        Assert.True(withElection.Allows("get", "coordination.k8s.io", "leases", ChartFiles.Namespace, "k8srepl-operator"));
        Assert.False(withElection.Allows("update", "coordination.k8s.io", "leases", ChartFiles.Namespace, "another-controller"));
        Assert.False(withElection.Allows("get", "coordination.k8s.io", "leases", ChartFiles.Namespace, "another-controller"));
        Assert.True(withElection.Allows("create", "coordination.k8s.io", "leases", ChartFiles.Namespace, null));

        var single = new ChartRbac(await ChartFiles.RenderAsync(), ServiceAccount, ChartFiles.Namespace);
        Assert.False(single.Allows("create", "coordination.k8s.io", "leases", ChartFiles.Namespace, null));
    }

    [Fact]
    public async Task LeaseRules_NameTheOperatorsLeaseForEveryVerbButCreate()
    {
        var objects = await ChartFiles.RenderAsync("--set", "replicaCount=2");
        var leaseRules = objects.OnlyOne("Role", "-leader-election")["rules"].Items().Select(PolicyRule.FromJson).ToList();
        Assert.All(leaseRules, r => Assert.Equal(["leases"], r.Resources));
        // RBAC cannot check the name of an object that does not exist yet: create stays unnamed, alone in its rule.
        var create = Assert.Single(leaseRules, r => r.Verbs.Contains("create"));
        Assert.Equal(["create"], create.Verbs);
        Assert.Empty(create.ResourceNames);
        var named = Assert.Single(leaseRules, r => !r.Verbs.Contains("create"));
        Assert.Equal(["k8srepl-operator"], named.ResourceNames);
        Assert.Equal(["get", "update"], named.Verbs.Order());
    }

    [Fact]
    public async Task DefaultValues_GrantNothingClusterWide_AndSecretsOnlyInTheReleaseNamespace()
    {
        var objects = await ChartFiles.RenderAsync();
        Assert.DoesNotContain(objects, o => o.Kind() is "ClusterRole" or "ClusterRoleBinding");
        var rbac = new ChartRbac(objects, ServiceAccount, ChartFiles.Namespace);
        Assert.True(rbac.Allows("get", "", "secrets", ChartFiles.Namespace, "mesh-token"));
        Assert.False(rbac.Allows("get", "", "secrets", "kube-system", "mesh-token"));
        Assert.False(rbac.Allows("get", "", "secrets", null, "mesh-token"));
        Assert.False(rbac.Allows("list", "replication.k8srepl.dev", "replicationmeshes", null, null));

        var cluster = new ChartRbac(await ChartFiles.RenderAsync("--set", "watch.scope=cluster"), ServiceAccount, ChartFiles.Namespace);
        Assert.True(cluster.Allows("get", "", "secrets", "kube-system", "mesh-token"));
    }

    [Fact]
    public async Task Injection_GrantsClusterWideOnlyItsOwnWebhookConfiguration_AndSecretsOnlyItsOwnInTheReleaseNamespace()
    {
        var objects = await ChartFiles.RenderAsync("--set", "injection.enabled=true");
        var rbac = new ChartRbac(objects, ServiceAccount, ChartFiles.Namespace);
        var configuration = objects.OnlyOne("MutatingWebhookConfiguration").Name();
        Assert.True(rbac.Allows("patch", "admissionregistration.k8s.io", "mutatingwebhookconfigurations", null, configuration));
        Assert.True(rbac.Allows("get", "admissionregistration.k8s.io", "mutatingwebhookconfigurations", null, configuration));
        Assert.False(rbac.Allows("patch", "admissionregistration.k8s.io", "mutatingwebhookconfigurations", null, "istio-sidecar-injector"));
        Assert.False(rbac.Allows("list", "admissionregistration.k8s.io", "mutatingwebhookconfigurations", null, null));
        var clusterRule = Assert.Single(objects.Where(o => o.Kind() == "ClusterRole").SelectMany(o => o["rules"].Items()).Select(PolicyRule.FromJson));
        Assert.Equal(["mutatingwebhookconfigurations"], clusterRule.Resources);

        Assert.True(rbac.Allows("update", "", "secrets", ChartFiles.Namespace, "k8srepl-k8s-replication-webhook-tls"));
        // The webhook's Secret is its only one outside the watched namespaces (the meshes' certificate Secrets are
        // created and replaced there, by name chosen per mesh, which RBAC cannot enumerate).
        Assert.False(rbac.Allows("update", "", "secrets", "kube-system", "k8srepl-k8s-replication-webhook-tls"));
        Assert.True(rbac.Allows("create", "", "secrets", ChartFiles.Namespace, null));
        Assert.False(rbac.Allows("create", "", "secrets", "kube-system", null));
    }

    [Fact]
    public async Task NamespaceScope_GrantsTheSameRulesOnlyInTheWatchedNamespace()
    {
        var cluster = new ChartRbac(await ChartFiles.RenderAsync("--set", "watch.scope=cluster", "--set", "leaderElection.enabled=true"),
            ServiceAccount, ChartFiles.Namespace);
        var scoped = new ChartRbac(await ChartFiles.RenderAsync("-f", ChartFiles.NamespaceScopeValues), ServiceAccount, ChartFiles.Namespace);
        Assert.Equal(cluster.AllGrants().Order(), scoped.AllGrants().Order());
        Assert.True(scoped.Allows("list", "", "pods", "apps", null));
        Assert.False(scoped.Allows("list", "", "pods", "other", null));
        Assert.False(scoped.Allows("list", "", "pods", null, null));
    }
}
