using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Resources;

namespace K8sReplication.TestKit.Kube.Admission;

/// <summary>
/// One write as admission sees it: the operation (CREATE, UPDATE), the resource as requested, the object in the
/// requested version (and the stored one on update), whether it is a dry run, and the request's options object.
/// </summary>
internal sealed record AdmissionAttributes(
    string Operation,
    ResourceType Type,
    string? Subresource,
    string? Namespace,
    string Name,
    JsonObject Object,
    JsonObject? OldObject,
    bool DryRun,
    JsonObject Options);
