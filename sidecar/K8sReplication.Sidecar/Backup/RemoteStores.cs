using K8sReplication.Contracts.Config;

namespace K8sReplication.Sidecar.Backup;

// Placeholder until the real stores land.
internal static class RemoteStores
{
    public static IRemoteStore Open(string url, string? endpoint, BackupCredentials? credentials) => throw new NotSupportedException(url + endpoint + credentials);
}

internal sealed class RemoteStoreException(string message) : Exception(message);
