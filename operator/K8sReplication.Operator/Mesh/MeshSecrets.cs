using k8s;
using k8s.Models;
using K8sReplication.Kube.Client;
using K8sReplication.Operator.Runtime;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// The Secrets a mesh names, read from two informer caches that hold only Secrets carrying an opt-in label
/// (<see cref="Contracts.Labels.MeshAuthSecret"/>, <see cref="Contracts.Labels.MeshBackupSecret"/>), so a reconcile
/// of a working mesh reads no Secret from the API server and no other Secret is ever cached. A Secret not in its
/// cache is either missing or not opted in, which the operator reports differently, so only then is it read once
/// by name (as every reconcile did before): the verdicts stay exactly what they were.
/// </summary>
internal sealed class MeshSecrets(IKubernetes client, ObjectCache<V1Secret> authSecrets, ObjectCache<V1Secret> backupSecrets)
{
    /// <summary>The Secret <c>spec.authSecretRef</c> names, or null when it does not exist.</summary>
    public Task<V1Secret?> AuthSecretAsync(string? @namespace, string name, CancellationToken cancellationToken) =>
        FindAsync(authSecrets, @namespace, name, cancellationToken);

    /// <summary>The Secret <c>spec.backup.credentialsSecretRef</c> names, or null when it does not exist.</summary>
    public Task<V1Secret?> BackupSecretAsync(string? @namespace, string name, CancellationToken cancellationToken) =>
        FindAsync(backupSecrets, @namespace, name, cancellationToken);

    private async Task<V1Secret?> FindAsync(ObjectCache<V1Secret> optedIn, string? @namespace, string name, CancellationToken cancellationToken) =>
        optedIn.Get(ObjectKey.Of(@namespace, name))
        ?? await client.CoreV1.ReadNamespacedSecretAsync(name, @namespace, cancellationToken: cancellationToken).NullWhenNotFound().ConfigureAwait(false);
}
