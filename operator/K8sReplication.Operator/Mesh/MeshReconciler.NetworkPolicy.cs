using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Events;
using K8sReplication.Operator.Network;
using K8sReplication.Operator.Runtime;

namespace K8sReplication.Operator.Mesh;

internal sealed partial class MeshReconciler
{
    /// <summary>
    /// Keeps the mesh's NetworkPolicy (<see cref="MeshNetworkPolicy"/>) as its spec and pods want it: created, brought
    /// back when edited or deleted, deleted when the mesh turns it off. Returns the NetworkPolicyReady condition, or
    /// null when the mesh wants no policy. A refused write (for example RBAC without networkpolicies) is reported in
    /// the condition, not thrown: the rest of the mesh keeps being reconciled.
    /// </summary>
    private async Task<MeshCondition?> EnsureNetworkPolicyAsync(ReplicationMesh mesh, CancellationToken cancellationToken)
    {
        var ns = mesh.Metadata.NamespaceProperty;
        var name = MeshResource.NetworkPolicyName(mesh.Metadata.Name);
        var wanted = (mesh.Spec?.NetworkPolicy?.Mode ?? NetworkPolicyMode.Operator) == NetworkPolicyMode.Operator;
        if (_policies is null)
        {
            return wanted
                ? PolicyCondition(ConditionStatus.False, "OperatorDisabled",
                    "the operator runs with --network-policies=false and keeps no NetworkPolicy; set spec.networkPolicy.mode: Disabled if the mesh needs none")
                : null;
        }

        var cached = _policies.Get(ObjectKey.Of(ns, name));
        try
        {
            if (!wanted)
            {
                if (cached is not null && OwnedBy(cached, mesh))
                {
                    await _client.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(name, ns, cancellationToken: cancellationToken).NullWhenNotFound()
                        .ConfigureAwait(false);
                    await RecordAsync(mesh, EventRecorder.Normal, "NetworkPolicyDeleted", $"NetworkPolicy {name} deleted: spec.networkPolicy.mode is Disabled",
                        cancellationToken).ConfigureAwait(false);
                }

                return null;
            }

            // A cache miss is read once by name: right after a create the cache may not have it yet.
            var stored = cached ?? await _client.NetworkingV1.ReadNamespacedNetworkPolicyAsync(name, ns, cancellationToken: cancellationToken)
                .NullWhenNotFound().ConfigureAwait(false);
            if (stored is not null && !OwnedBy(stored, mesh))
            {
                return PolicyCondition(ConditionStatus.False, "NameTaken",
                    $"NetworkPolicy {name} exists and is not this mesh's: the operator leaves it alone; delete or rename it, or set spec.networkPolicy.mode: Disabled");
            }

            var selected = MeshNetworkPolicy.Selected(mesh, _pods.List(ns));
            var desired = MeshNetworkPolicy.Build(mesh, selected, _options.NetworkPolicy);
            if (stored is null)
            {
                await _client.NetworkingV1.CreateNamespacedNetworkPolicyAsync(desired, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                LogPolicyWritten(_logger, mesh.Metadata.Name, name, "created");
                await RecordAsync(mesh, EventRecorder.Normal, "NetworkPolicyCreated", $"NetworkPolicy {name} created", cancellationToken).ConfigureAwait(false);
            }
            else if (!SameSpec(stored, desired))
            {
                // The resourceVersion makes a concurrent change fail with a conflict (retried) instead of being overwritten.
                desired.Metadata.ResourceVersion = stored.Metadata.ResourceVersion;
                await _client.NetworkingV1.ReplaceNamespacedNetworkPolicyAsync(desired, name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
                LogPolicyWritten(_logger, mesh.Metadata.Name, name, "updated");
                await RecordAsync(mesh, EventRecorder.Normal, "NetworkPolicyUpdated", $"NetworkPolicy {name} brought back to the mesh's spec and pods",
                    cancellationToken).ConfigureAwait(false);
            }

            return Applied(mesh, ns, name, selected);
        }
        catch (HttpOperationException ex) when (!ex.IsConflict() && !KubeApiErrors.IsTransientStatus(ex.StatusCode()))
        {
            var message = $"NetworkPolicy {name} cannot be written: {ex.Describe()}";
            LogPolicyFailed(_logger, mesh.Metadata.Name, message);
            await RecordAsync(mesh, EventRecorder.Warning, "NetworkPolicyFailed", message, cancellationToken).ConfigureAwait(false);
            return PolicyCondition(ConditionStatus.False, "NetworkPolicyFailed", message);
        }
    }

    private MeshCondition Applied(ReplicationMesh mesh, string? ns, string name, IReadOnlyList<V1Pod> pods)
    {
        var spec = mesh.Spec ?? new ReplicationMeshSpec();
        var (replication, admin) = MeshNetworkPolicy.Ports(spec, pods);
        var from = _options.NetworkPolicy.KnowsOperator ? "the mesh's pods and the operator" : "the mesh's pods";
        if ((spec.NetworkPolicy?.OtherPorts ?? OtherPortsPolicy.Open) == OtherPortsPolicy.Closed)
        {
            return PolicyCondition(ConditionStatus.True, "Applied",
                $"NetworkPolicy {name} admits replication port {string.Join(", ", replication)} from {from}, admin port {string.Join(", ", admin)} from "
                + (_options.NetworkPolicy.KnowsOperator ? "the operator" : "anywhere (the operator's pods are not known)")
                + "; other ports are left to your own policies");
        }

        var isolating = MeshNetworkPolicy.Isolating(_policies!.List(ns), name, pods);
        if (isolating.Count > 0)
        {
            return PolicyCondition(ConditionStatus.False, "OtherPoliciesIsolateMembers",
                $"NetworkPolicy {MeshConditions.Names([.. isolating])} also selects member pods; with otherPorts Open, {name} admits every other port from anywhere, "
                + "more than those policies do: set spec.networkPolicy.otherPorts: Closed");
        }

        return PolicyCondition(ConditionStatus.True, "Applied",
            $"NetworkPolicy {name} admits replication port {string.Join(", ", replication)} from {from} only; other ports stay open");
    }

    /// <summary>Spec equality as JSON, member order of maps aside (the API server may return them sorted).</summary>
    private static bool SameSpec(V1NetworkPolicy stored, V1NetworkPolicy desired) =>
        JsonNode.DeepEquals(JsonNode.Parse(KubernetesJson.Serialize(stored.Spec)), JsonNode.Parse(KubernetesJson.Serialize(desired.Spec)))
        && desired.Metadata.Labels!.All(l => stored.Metadata.Labels?.TryGetValue(l.Key, out var v) == true && v == l.Value);

    private static bool OwnedBy(V1NetworkPolicy policy, ReplicationMesh mesh) =>
        policy.Metadata.OwnerReferences?.Any(o => o.Controller == true && o.Kind == MeshResource.Type.Kind && o.Name == mesh.Metadata.Name) == true;

    private static MeshCondition PolicyCondition(ConditionStatus status, string reason, string message) =>
        MeshConditions.Condition(ConditionTypes.NetworkPolicyReady, status, reason, message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mesh {Mesh}: NetworkPolicy {Policy} {Action}")]
    private static partial void LogPolicyWritten(ILogger logger, string mesh, string policy, string action);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mesh {Mesh}: {Message}")]
    private static partial void LogPolicyFailed(ILogger logger, string mesh, string message);
}
