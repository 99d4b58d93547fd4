using System.Text;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Config;
using K8sReplication.Contracts.Mesh;
using k8s.Models;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// Whether the operator may push the S3 credentials of the Secret a mesh's <c>backup.credentialsSecretRef</c> names
/// (pure). Like the auth Secret, it is only used when its owner opted it in, here with
/// <see cref="Labels.MeshBackupSecret"/>, and only from the mesh's own namespace. An unusable Secret pushes no
/// credentials; <see cref="Problem"/> says why without ever quoting a value.
/// </summary>
internal sealed record BackupCredentialsVerdict(string? SecretName, BackupCredentials? Credentials, string? Version, string? Problem)
{
    /// <summary>The mesh names no credentials Secret: the members use their own credential chain.</summary>
    public static readonly BackupCredentialsVerdict NotConfigured = new(null, null, null, null);

    public static BackupCredentialsVerdict Of(string secretName, V1Secret? secret)
    {
        if (secret is null)
        {
            return Unavailable(secretName, "does not exist in the mesh's namespace");
        }

        // Checked before the data is looked at: an unlabelled Secret's content never reaches a pod.
        if (!SecretOptIn.Has(secret, Labels.MeshBackupSecret, Labels.MeshBackupSecretValue))
        {
            return Unavailable(secretName, $"lacks the label {Labels.MeshBackupSecret}={Labels.MeshBackupSecretValue}");
        }

        var missing = new[] { BackupCredentialsSecretReference.AccessKeyIdKey, BackupCredentialsSecretReference.SecretAccessKeyKey }
            .Where(key => Value(secret, key) is null)
            .ToList();
        if (missing.Count > 0)
        {
            return Unavailable(secretName, $"has no key {string.Join(" or ", missing)}");
        }

        var credentials = new BackupCredentials
        {
            AccessKeyId = Value(secret, BackupCredentialsSecretReference.AccessKeyIdKey),
            SecretAccessKey = Value(secret, BackupCredentialsSecretReference.SecretAccessKeyKey),
            SessionToken = Value(secret, BackupCredentialsSecretReference.SessionTokenKey),
            Region = Value(secret, BackupCredentialsSecretReference.RegionKey),
        };

        // The version, not a digest of the values, goes into the config fingerprint (a ConfigMap annotation): a changed
        // Secret moves the config generation, so the members get the new credentials, and nothing derived from them
        // is stored.
        return new(secretName, credentials, $"{secretName}@{secret.Metadata.ResourceVersion}", null);
    }

    private static BackupCredentialsVerdict Unavailable(string secretName, string why) =>
        new(secretName, null, null,
            $"Secret {secretName} named by spec.backup.credentialsSecretRef {why}; no backup credentials are pushed to the members");

    private static string? Value(V1Secret secret, string key) =>
        secret.Data?.TryGetValue(key, out var bytes) == true && Encoding.UTF8.GetString(bytes).Trim() is { Length: > 0 } value ? value : null;
}
