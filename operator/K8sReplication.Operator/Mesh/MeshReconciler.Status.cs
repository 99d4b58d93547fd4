using System.Text.Json;
using k8s;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Operator.Runtime;

namespace K8sReplication.Operator.Mesh;

internal sealed partial class MeshReconciler
{
    /// <summary>
    /// Writes the status through the status subresource only when its JSON differs from the cached one, fenced by the
    /// cached resourceVersion (a 409 retries from a fresher cache). Events for joins, leaves and flipped conditions
    /// follow a successful write, so a retried write does not repeat them.
    /// </summary>
    private async Task WriteStatusAsync(ReplicationMesh mesh, ReplicationMeshStatus status, CancellationToken cancellationToken)
    {
        if (SameStatus(mesh.Status, status))
        {
            return;
        }

        var update = new ReplicationMesh
        {
            ApiVersion = mesh.ApiVersion,
            Kind = mesh.Kind,
            Metadata = mesh.Metadata,
            Spec = mesh.Spec,
            Status = status,
        };
        await _client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(update, MeshApi.Group, MeshApi.Version, mesh.Metadata.NamespaceProperty,
            MeshApi.Plural, mesh.Metadata.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        var key = ObjectKey.Of(mesh);
        LogStatusWritten(_logger, key, status.Phase, status.ReadyMembers, status.TotalMembers);
        foreach (var e in MeshChangeEvents.Between(mesh.Status, status))
        {
            await RecordAsync(mesh, e.Type, e.Reason, e.Note, cancellationToken).ConfigureAwait(false);
        }
    }

    internal static bool SameStatus(ReplicationMeshStatus? before, ReplicationMeshStatus after) =>
        before is not null
        && JsonSerializer.Serialize(before, Contracts.Mesh.MeshJsonContext.Default.ReplicationMeshStatus)
        == JsonSerializer.Serialize(after, Contracts.Mesh.MeshJsonContext.Default.ReplicationMeshStatus);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Mesh {Mesh}: status written ({Phase}, {Ready}/{Total} ready)")]
    private static partial void LogStatusWritten(ILogger logger, string mesh, string? phase, int ready, int total);
}
