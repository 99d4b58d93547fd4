using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Resources;
using K8sReplication.TestKit.Kube.Selection;

namespace K8sReplication.TestKit.Kube.Http;

/// <summary>Builds meta.k8s.io/v1 Table responses (what <c>kubectl get</c> asks for) from a type's printer columns.</summary>
internal static class TableConverter
{
    public static bool Wants(string? accept) => accept is not null && accept.Contains("as=Table", StringComparison.Ordinal);

    public static JsonObject Build(ResourceType type, IEnumerable<JsonObject> items, JsonObject listMeta, string includeObject, DateTimeOffset now)
    {
        var columns = new JsonArray();
        foreach (var column in type.Columns)
        {
            columns.Add(new JsonObject
            {
                ["name"] = column.Name,
                ["type"] = column.Type == "date" ? "string" : column.Type,
                ["format"] = column.Format ?? "",
                ["description"] = column.Description,
                ["priority"] = column.Priority,
            });
        }

        var rows = new JsonArray();
        foreach (var item in items)
        {
            var cells = new JsonArray();
            foreach (var column in type.Columns)
            {
                cells.Add(type.StorageKey == "/events" && EventCells.TryCompute(column.Name, item, now, out var computed) ? computed : Cell(column, item, now));
            }

            var row = new JsonObject { ["cells"] = cells };
            if (includeObject == "Object")
            {
                row["object"] = item.DeepClone();
            }
            else if (includeObject != "None")
            {
                row["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = item["metadata"]?.DeepClone(),
                };
            }

            rows.Add(row);
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = listMeta,
            ["columnDefinitions"] = columns,
            ["rows"] = rows,
        };
    }

    private static JsonNode? Cell(PrinterColumn column, JsonObject item, DateTimeOffset now)
    {
        var value = JsonPathLite.First(item, column.JsonPath);
        if (value is null)
        {
            return column.Name == "Name" ? "" : null;
        }

        if (column.Type == "date" && value is JsonValue v && v.GetValueKind() == JsonValueKind.String
            && DateTimeOffset.TryParse(v.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return HumanDuration.Format(now - time);
        }

        return value switch
        {
            JsonValue scalar => scalar.DeepClone(),
            JsonArray list when column.Type == "integer" => list.Count,
            _ => value.ToJsonString(),
        };
    }
}
