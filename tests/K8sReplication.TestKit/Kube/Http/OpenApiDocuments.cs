using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Resources;

namespace K8sReplication.TestKit.Kube.Http;

/// <summary>
/// Minimal OpenAPI v3 documents: one PATCH operation per kind carrying <c>x-kubernetes-group-version-kind</c> and the
/// <c>fieldValidation</c> query parameter. That is what kubectl checks to send <c>fieldValidation=Strict</c> and leave
/// validation to the server; custom resources also publish their schema (for <c>kubectl explain</c>); with no request body media types declared, kubectl computes patches from its built-in
/// types (strategic merge) or as JSON merge patches for custom resources, exactly as against a real server.
/// </summary>
internal static class OpenApiDocuments
{
    public static JsonObject Index(ResourceCatalog catalog)
    {
        var paths = new JsonObject();
        foreach (var (group, versions) in catalog.Groups())
        {
            foreach (var version in versions)
            {
                var key = GroupVersionPath(group, version);
                var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(GroupVersion(catalog, group, version)!.ToJsonString())));
                paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={hash}" };
            }
        }

        return new JsonObject { ["paths"] = paths };
    }

    public static JsonObject? GroupVersion(ResourceCatalog catalog, string group, string version)
    {
        var types = catalog.Snapshot().Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var type in types)
        {
            if (type.Schema is not null)
            {
                // Custom resources publish their schema so `kubectl explain` works, as on a real server.
                var schema = type.Schema.DeepClone().AsObject();
                schema["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = type.Kind });
                schemas[SchemaName(type)] = schema;
            }

            var prefix = "/" + GroupVersionPath(group, version) + (type.Namespaced ? "/namespaces/{namespace}/" : "/") + type.Plural + "/{name}";
            paths[prefix] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["operationId"] = $"patch{type.Kind}",
                    ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = group, ["version"] = version, ["kind"] = type.Kind },
                    ["parameters"] = new JsonArray(
                        Query("dryRun"), Query("fieldManager"), Query("fieldValidation"), Query("force")),
                    ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
                },
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    /// <summary>Reverse-domain schema name, e.g. <c>dev.k8srepl.replication.v1alpha1.ReplicationMesh</c>.</summary>
    private static string SchemaName(ResourceType type) =>
        string.Join('.', type.Group.Split('.').Reverse()) + $".{type.Version}.{type.Kind}";

    private static JsonObject Query(string name) => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };

    private static string GroupVersionPath(string group, string version) => group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";
}
