using K8sReplication.Contracts;
using k8s.Models;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// Whether the operator may use the Secret a mesh's <c>authSecretRef</c> names (pure). The token is sent to every pod
/// the mesh selects, and whoever can create a mesh and a pod chooses both, so a Secret is only used when its owner
/// opted it in with <see cref="Labels.MeshAuthSecret"/>; RBAC alone cannot express "only Secrets meant for meshes".
/// The Secret is always looked up in the mesh's own namespace: the reference has no namespace field.
/// </summary>
internal sealed record AuthSecretVerdict(AuthSecretOutcome Outcome, string? SecretName, string? Token)
{
    public static readonly AuthSecretVerdict NotConfigured = new(AuthSecretOutcome.NotConfigured, null, null);

    /// <summary>A refused Secret: the operator must not contact the mesh's members at all.</summary>
    public bool Refused => Outcome == AuthSecretOutcome.NotLabelled;

    /// <summary>Human-readable reason of a refusal (names the Secret and the missing label), else null.</summary>
    public string? RefusalMessage => Refused
        ? $"Secret {SecretName} named by spec.authSecretRef lacks the label {Labels.MeshAuthSecret}={Labels.MeshAuthSecretValue}; " +
          "its token is not used and members are not contacted until the Secret carries it"
        : null;

    public static AuthSecretVerdict Of(string secretName, V1Secret? secret)
    {
        if (secret is null)
        {
            return new(AuthSecretOutcome.Missing, secretName, null);
        }

        // Checked before the data is even looked at: an unlabelled Secret's content never influences what the
        // operator does, beyond being refused.
        if (!SecretOptIn.Has(secret, Labels.MeshAuthSecret, Labels.MeshAuthSecretValue))
        {
            return new(AuthSecretOutcome.NotLabelled, secretName, null);
        }

        return secret.Data?.TryGetValue(WellKnown.TokenSecretKey, out var bytes) == true
            ? new(AuthSecretOutcome.Accepted, secretName, System.Text.Encoding.UTF8.GetString(bytes).Trim())
            : new(AuthSecretOutcome.Missing, secretName, null);
    }
}
