using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Kube.Events;
using K8sReplication.Operator.Sidecars;

namespace K8sReplication.Operator.Mesh;

internal sealed partial class MeshReconciler
{
    private static bool HasFinalizer(ReplicationMesh mesh) => mesh.Metadata.Finalizers?.Contains(Labels.Finalizer) == true;

    private Task<ReplicationMesh> AddFinalizerAsync(ReplicationMesh mesh, CancellationToken cancellationToken) =>
        PatchFinalizersAsync(mesh, [.. mesh.Metadata.Finalizers ?? [], Labels.Finalizer], cancellationToken);

    /// <summary>
    /// Deletion: every reachable member gets a config without peers (it stops replicating this mesh's peers), then the
    /// finalizer goes and the API server deletes the mesh; its ConfigMap follows by garbage collection. Members that
    /// cannot be reached are not waited for: they are gone or will lose the mounted config with the ConfigMap.
    /// </summary>
    private async Task FinalizeAsync(string key, ReplicationMesh mesh, CancellationToken cancellationToken)
    {
        if (!HasFinalizer(mesh))
        {
            return;
        }

        var spec = mesh.Spec ?? new ReplicationMeshSpec();
        var name = mesh.Metadata.Name!;
        var members = MemberDiscovery.Members(mesh, _pods.List(mesh.Metadata.NamespaceProperty));
        var auth = await ReadAuthSecretAsync(mesh, cancellationToken).ConfigureAwait(false);
        if (auth.Refused)
        {
            // The members never got anything from this mesh while the Secret was refused, and with it refused they
            // are not called now either; they lose the mounted config with the ConfigMap, if there ever was one.
            await RecordAsync(mesh, EventRecorder.Normal, "MeshDeleted", $"members not contacted: {auth.RefusalMessage}", cancellationToken)
                .ConfigureAwait(false);
            await PatchFinalizersAsync(mesh, [.. (mesh.Metadata.Finalizers ?? []).Where(f => f != Labels.Finalizer)], cancellationToken).ConfigureAwait(false);
            LogFinalized(_logger, key, 0, members.Count);
            return;
        }

        var token = auth.Token;
        var observations = await ObserveAsync(members, token, cancellationToken).ConfigureAwait(false);
        var generation = 1 + Math.Max(mesh.Status?.ConfigGeneration ?? 0,
            observations.Where(o => o.Reachable).Select(o => o.Health!.ConfigGeneration).DefaultIfEmpty(0).Max());
        var detached = DesiredMeshConfig.Detached(mesh.Metadata.NamespaceProperty ?? "", name, spec, generation);
        var stopped = 0;
        await Parallel.ForEachAsync(members, Parallelism(cancellationToken), async (member, ct) =>
        {
            try
            {
                await _sidecars.PushConfigAsync(member.AdminUrl, token, detached, ct).ConfigureAwait(false);
                Interlocked.Increment(ref stopped);
            }
            catch (SidecarRequestException ex)
            {
                LogDetachFailed(_logger, key, member.Pod, ex.Message);
            }
        }).ConfigureAwait(false);

        await RecordAsync(mesh, EventRecorder.Normal, "MeshDeleted", $"told {stopped} of {members.Count} members to stop replicating", cancellationToken)
            .ConfigureAwait(false);
        await PatchFinalizersAsync(mesh, [.. (mesh.Metadata.Finalizers ?? []).Where(f => f != Labels.Finalizer)], cancellationToken).ConfigureAwait(false);
        LogFinalized(_logger, key, stopped, members.Count);
    }

    /// <summary>Sets the finalizer list with a merge patch fenced by the cached resourceVersion (409 → retry from a fresh cache).</summary>
    private async Task<ReplicationMesh> PatchFinalizersAsync(ReplicationMesh mesh, IReadOnlyList<string> finalizers, CancellationToken cancellationToken)
    {
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["resourceVersion"] = mesh.Metadata.ResourceVersion,
                ["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode)JsonValue.Create(f))]),
            },
        };
        var patched = await _client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch),
            MeshApi.Group, MeshApi.Version, mesh.Metadata.NamespaceProperty, MeshApi.Plural, mesh.Metadata.Name!, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return KubernetesJson.Deserialize<ReplicationMesh>((JsonElement)patched);
    }

    private ParallelOptions Parallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = _options.MemberConcurrency, CancellationToken = cancellationToken };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mesh {Mesh}: could not tell member {Pod} to stop replicating: {Reason}")]
    private static partial void LogDetachFailed(ILogger logger, string mesh, string pod, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mesh {Mesh} deleted: {Stopped} of {Members} members stopped replicating; finalizer removed")]
    private static partial void LogFinalized(ILogger logger, string mesh, int stopped, int members);
}
