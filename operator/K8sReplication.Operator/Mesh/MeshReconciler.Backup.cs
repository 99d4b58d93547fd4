using K8sReplication.Operator.Runtime;

namespace K8sReplication.Operator.Mesh;

internal sealed partial class MeshReconciler
{
    /// <summary>
    /// Reads the Secret a mesh's <c>backup.credentialsSecretRef</c> names, from the mesh's own namespace only, and decides
    /// whether its credentials may be pushed (<see cref="BackupCredentialsVerdict"/>). An unusable Secret is logged on
    /// every reconcile and shows in BackupHealthy; neither ever carries a value from the Secret.
    /// </summary>
    private async Task<BackupCredentialsVerdict> ReadBackupCredentialsAsync(ReplicationMesh mesh, CancellationToken cancellationToken)
    {
        var secretName = mesh.Spec?.Backup?.CredentialsSecretRef?.Name;
        if (string.IsNullOrEmpty(secretName))
        {
            return BackupCredentialsVerdict.NotConfigured;
        }

        var secret = await _secrets.BackupSecretAsync(mesh.Metadata.NamespaceProperty, secretName, cancellationToken).ConfigureAwait(false);
        var verdict = BackupCredentialsVerdict.Of(secretName, secret);
        if (verdict.Problem is { } problem)
        {
            LogBackupCredentialsUnavailable(_logger, ObjectKey.Of(mesh), problem);
        }

        return verdict;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mesh {Mesh}: {Problem}")]
    private static partial void LogBackupCredentialsUnavailable(ILogger logger, string mesh, string problem);
}
