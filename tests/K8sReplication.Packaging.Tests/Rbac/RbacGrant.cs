namespace K8sReplication.Packaging.Tests.Rbac;

/// <summary>The "verb group/resource" spelling used in test messages and in docs/operator-rbac.md comparisons.</summary>
public static class RbacGrant
{
    public static string Format(string verb, string group, string resource) =>
        $"{verb} {(group.Length == 0 ? "core" : group)}/{resource}";
}
