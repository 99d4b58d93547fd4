using System.Diagnostics.CodeAnalysis;
using System.Reflection;

namespace K8sReplication.Architecture.Tests;

/// <summary>The projects' dependency rules (docs/architecture.md), read from the compiled assemblies' references.</summary>
public sealed class LayeringTests
{
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        ["K8sReplication.Contracts"] = [],
        ["K8sReplication.Kube"] = [],
        ["K8sReplication.Observability"] = [],
        ["k8srepl-sidecar"] = ["K8sReplication.Contracts", "K8sReplication.Observability"],
        ["k8srepl-operator"] = ["K8sReplication.Contracts", "K8sReplication.Kube", "K8sReplication.Observability"],
        ["kubectl-k8srepl"] = ["K8sReplication.Contracts", "K8sReplication.Kube"],
    };

    public static TheoryData<string> ProductionAssemblies() => new(Allowed.Keys);

    [Theory]
    [MemberData(nameof(ProductionAssemblies))]
    public void ProductionAssembly_ReferencesOnlyAllowedOwnAssemblies(string assemblyName)
    {
        var forbidden = Violations(assemblyName, OwnReferences(assemblyName));

        Assert.True(forbidden.Count == 0, $"{assemblyName} must not reference {string.Join(", ", forbidden)}");
    }

    [Theory]
    [MemberData(nameof(ProductionAssemblies))]
    public void ProductionAssembly_NeverReferencesTestKit(string assemblyName)
    {
        Assert.DoesNotContain("K8sReplication.TestKit", OwnReferences(assemblyName));
    }

    [Fact]
    public void RuleCheck_SidecarReferencingKube_IsAViolation()
    {
        var forbidden = Violations("k8srepl-sidecar", ["K8sReplication.Contracts", "K8sReplication.Kube", "k8srepl-operator"]);

        Assert.Equal(["K8sReplication.Kube", "k8srepl-operator"], forbidden);
    }

    private static List<string> Violations(string assemblyName, IEnumerable<string> ownReferences) =>
        ownReferences.Except(Allowed[assemblyName], StringComparer.Ordinal).ToList();

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Tests run untrimmed.")]
    private static List<string> OwnReferences(string assemblyName)
    {
        var assembly = Assembly.Load(new AssemblyName(assemblyName));
        return assembly.GetReferencedAssemblies()
            .Select(a => a.Name ?? "")
            .Where(n => n.StartsWith("K8sReplication.", StringComparison.Ordinal) || n.StartsWith("k8srepl-", StringComparison.Ordinal))
            .ToList();
    }
}
