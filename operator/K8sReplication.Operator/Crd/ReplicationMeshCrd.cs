using System.Text.Json.Nodes;
using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Operator.Crd;

/// <summary>Builds the ReplicationMesh CustomResourceDefinition from the Contracts types.</summary>
internal static class ReplicationMeshCrd
{
    public static JsonObject Build()
    {
        var spec = OpenApiSchemaBuilder.Build(MeshJsonContext.Default.ReplicationMeshSpec);
        var status = OpenApiSchemaBuilder.Build(MeshJsonContext.Default.ReplicationMeshStatus);

        var root = new JsonObject
        {
            ["description"] = "ReplicationMesh makes the SQLite files of the selected pods multi-master replicas of each other.",
            ["type"] = "object",
            ["required"] = new JsonArray("spec"),
            ["properties"] = new JsonObject
            {
                ["apiVersion"] = new JsonObject { ["type"] = "string" },
                ["kind"] = new JsonObject { ["type"] = "string" },
                ["metadata"] = new JsonObject { ["type"] = "object" },
                ["spec"] = spec,
                ["status"] = status,
            },
        };

        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject
            {
                ["name"] = MeshApi.CrdName,
                ["labels"] = new JsonObject { ["app.kubernetes.io/part-of"] = "k8s-replication" },
            },
            ["spec"] = new JsonObject
            {
                ["group"] = MeshApi.Group,
                ["scope"] = "Namespaced",
                ["names"] = new JsonObject
                {
                    ["kind"] = MeshApi.Kind,
                    ["listKind"] = MeshApi.ListKind,
                    ["plural"] = MeshApi.Plural,
                    ["singular"] = MeshApi.Singular,
                    ["shortNames"] = new JsonArray(MeshApi.ShortName),
                    ["categories"] = new JsonArray(MeshApi.Category),
                },
                ["versions"] = new JsonArray(new JsonObject
                {
                    ["name"] = MeshApi.Version,
                    ["served"] = true,
                    ["storage"] = true,
                    ["subresources"] = new JsonObject { ["status"] = new JsonObject() },
                    ["additionalPrinterColumns"] = PrinterColumns(),
                    ["schema"] = new JsonObject { ["openAPIV3Schema"] = root },
                }),
            },
        };
    }

    private static JsonArray PrinterColumns() => new(
        Column("Members", "integer", ".status.totalMembers", "Members selected"),
        Column("Ready", "integer", ".status.readyMembers", "Members whose sidecar is ready"),
        Column("Converged", "string", ".status.conditions[?(@.type==\"Converged\")].status", "All members hold the same data"),
        Column("Max-Lag", "string", ".status.maxLag", "Largest replication lag of any member"),
        Column("Age", "date", ".metadata.creationTimestamp", null));

    private static JsonObject Column(string name, string type, string jsonPath, string? description)
    {
        var column = new JsonObject { ["name"] = name, ["type"] = type, ["jsonPath"] = jsonPath };
        if (description is not null)
        {
            column["description"] = description;
        }

        return column;
    }
}
