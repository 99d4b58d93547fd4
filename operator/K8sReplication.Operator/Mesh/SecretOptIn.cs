using k8s.Models;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// Whether a Secret's owner opted it in for one use by the operator (pure). What the operator reads from a Secret goes
/// to every pod a mesh selects, and whoever can create a mesh and a pod chooses both, so RBAC alone cannot express
/// "only Secrets meant for meshes": the owner says so with a label, one label per use.
/// </summary>
internal static class SecretOptIn
{
    public static bool Has(V1Secret secret, string label, string value) =>
        secret.Metadata.Labels?.TryGetValue(label, out var optIn) == true && optIn == value;
}
