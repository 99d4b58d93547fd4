using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Injection;

/// <summary>
/// Decides what happens to a pod under admission (pure): left alone (not opted in, or the sidecar is already there),
/// refused (bad annotations, no volume holding the database, no or several meshes), or patched with the sidecar, its
/// volumes and the mesh annotation. The patch is an RFC 6902 JSON patch against the pod as the API server sent it.
/// </summary>
internal static class SidecarInjector
{
    public static InjectionDecision Decide(V1Pod pod, string @namespace, IReadOnlyList<ReplicationMesh> meshes, bool meshesKnown, InjectionOptions options)
    {
        var metadata = pod.Metadata ?? new V1ObjectMeta();
        var request = InjectionRequest.Read(metadata, out var error);
        if (error is not null)
        {
            return InjectionDecision.Denied(error);
        }

        var spec = pod.Spec ?? new V1PodSpec();
        if (request is null || AllContainers(spec).Any(c => c.Name == InjectionKeys.ContainerName))
        {
            return InjectionDecision.Unchanged();
        }

        var data = DataMount(spec, request.Database);
        if (data is null)
        {
            return InjectionDecision.Denied(
                $"annotation {InjectionKeys.Database}: no container of the pod mounts a volume at a folder holding \"{InjectionRequest.Quote(request.Database)}\"; mount the volume with the SQLite file in the app container");
        }

        if (!meshesKnown)
        {
            return InjectionDecision.Unavailable("the operator has not loaded the ReplicationMeshes yet; retry in a few seconds");
        }

        var (mesh, meshError) = FindMesh(metadata, @namespace, request, meshes);
        if (mesh is null)
        {
            return InjectionDecision.Denied(meshError!);
        }

        var volumes = SidecarContainer.Volumes(mesh);
        var taken = (spec.Volumes ?? []).Select(v => v.Name).Intersect(volumes.Select(v => v.Name), StringComparer.Ordinal).FirstOrDefault();
        if (taken is not null)
        {
            return InjectionDecision.Denied($"volume {taken}: the pod already has a volume of this name, which the injected sidecar needs");
        }

        var container = SidecarContainer.Build(request, data, mesh, options);
        var patch = new JsonArray();
        if (options.Mode == SidecarMode.Native)
        {
            // After the pod's own init containers (a restore or schema step must finish before the sidecar opens the
            // file), and still before every app container: a native sidecar is started, and its startup probe
            // passed, before the next container starts.
            Append(patch, "/spec/initContainers", spec.InitContainers is null, container);
        }
        else
        {
            Append(patch, "/spec/containers", spec.Containers is null, container);
        }

        foreach (var volume in volumes)
        {
            Append(patch, "/spec/volumes", spec.Volumes is null && volume == volumes[0], volume);
        }

        if (request.Mesh is null)
        {
            if (metadata.Annotations is null)
            {
                patch.Add((JsonNode)Op("add", "/metadata/annotations", new JsonObject { [InjectionKeys.Mesh] = mesh.Metadata.Name }));
            }
            else
            {
                patch.Add((JsonNode)Op("add", "/metadata/annotations/" + Escape(InjectionKeys.Mesh), JsonValue.Create(mesh.Metadata.Name)));
            }
        }

        return InjectionDecision.Patched(patch, mesh.Metadata.Name);
    }

    /// <summary>The app's mount whose folder holds the database; the deepest one when several do.</summary>
    internal static V1VolumeMount? DataMount(V1PodSpec spec, string database) =>
        (spec.Containers ?? [])
            .SelectMany(c => c.VolumeMounts ?? [])
            .Where(m => m.MountPath is { Length: > 0 } path && Holds(path, database))
            .OrderByDescending(m => m.MountPath.TrimEnd('/').Length)
            .FirstOrDefault();

    private static bool Holds(string mountPath, string database)
    {
        var folder = mountPath.TrimEnd('/');
        return database.StartsWith(folder + "/", StringComparison.Ordinal);
    }

    private static (ReplicationMesh? Mesh, string? Error) FindMesh(V1ObjectMeta metadata, string @namespace, InjectionRequest request, IReadOnlyList<ReplicationMesh> meshes)
    {
        var labels = metadata.Labels is null ? null : new Dictionary<string, string>(metadata.Labels, StringComparer.Ordinal);
        var selecting = meshes
            .Where(m => m.Metadata.NamespaceProperty == @namespace && m.Metadata.DeletionTimestamp is null && SelectorMatcher.Matches(m.Spec?.Selector, labels))
            .OrderBy(m => m.Metadata.Name, StringComparer.Ordinal)
            .ToList();
        if (request.Mesh is { } named)
        {
            return selecting.FirstOrDefault(m => m.Metadata.Name == named) is { } chosen
                ? (chosen, null)
                : (null, $"annotation {InjectionKeys.Mesh}: no ReplicationMesh \"{named}\" in namespace {@namespace} selects this pod's labels"
                    + (selecting.Count == 0 ? "" : $" (selecting it: {string.Join(", ", selecting.Select(m => m.Metadata.Name))})"));
        }

        return selecting.Count switch
        {
            1 => (selecting[0], null),
            0 => (null, $"no ReplicationMesh in namespace {@namespace} selects this pod's labels: create the mesh first (its spec.selector must match the pod), "
                + $"or check that the operator watches namespace {@namespace}"),
            _ => (null, $"ReplicationMeshes {string.Join(", ", selecting.Select(m => m.Metadata.Name))} all select this pod: "
                + $"name the one it joins with annotation {InjectionKeys.Mesh}"),
        };
    }

    private static IEnumerable<V1Container> AllContainers(V1PodSpec spec) => (spec.InitContainers ?? []).Concat(spec.Containers ?? []);

    /// <summary>Appends to a list, creating it when the pod has none.</summary>
    private static void Append(JsonArray patch, string list, bool create, object item)
    {
        var value = ToJson(item);
        patch.Add((JsonNode)(create ? Op("add", list, new JsonArray(value)) : Op("add", list + "/-", value)));
    }

    private static JsonObject Op(string op, string path, JsonNode? value) => new() { ["op"] = op, ["path"] = path, ["value"] = value };

    private static JsonNode ToJson(object model) => JsonNode.Parse(KubernetesJson.Serialize(model))!;

    /// <summary>RFC 6901: a key inside a JSON pointer.</summary>
    private static string Escape(string key) => key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
