using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Operator.Crd;

/// <summary>
/// Turns the source-generated JSON metadata of the Contracts types into a Kubernetes structural OpenAPI v3 schema:
/// JSON Schema from <see cref="JsonSchemaExporter"/>, then attributes on the C# properties become
/// <c>description</c>, <c>default</c>, <c>minimum</c>/<c>maximum</c>, <c>pattern</c>, length limits, <c>required</c>
/// and <c>x-kubernetes-validations</c>. The CRD is therefore generated from the types and cannot drift from them.
/// </summary>
internal static class OpenApiSchemaBuilder
{
    public static JsonObject Build(JsonTypeInfo typeInfo)
    {
        var options = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = Transform,
        };
        var node = typeInfo.Options.GetJsonSchemaAsNode(typeInfo.Type, options).AsObject();
        node.Remove("$schema");
        return node;
    }

    private static JsonObject Transform(JsonSchemaExporterContext context, JsonNode schema)
    {
        if (schema is not JsonObject obj)
        {
            // "true" schemas (anything) are not structural; Kubernetes wants an explicit escape hatch.
            return new JsonObject { ["x-kubernetes-preserve-unknown-fields"] = true };
        }

        CollapseNullableType(obj);
        if (obj.ContainsKey("enum") && !obj.ContainsKey("type"))
        {
            obj["type"] = "string";
        }

        // Every object schema, also one reached through a property: a nested type's required fields and rules hold
        // wherever it is used.
        if (context.TypeInfo.Kind == JsonTypeInfoKind.Object)
        {
            ApplyTypeAttributes(context.TypeInfo, obj);
        }

        if (context.PropertyInfo?.AttributeProvider is { } provider)
        {
            ApplyPropertyAttributes(provider, obj);
        }

        return obj;
    }

    private static void CollapseNullableType(JsonObject obj)
    {
        // Optional fields are expressed by absence; a ["integer","null"] union is not a structural schema.
        if (obj["type"] is JsonArray types)
        {
            var nonNull = types.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToList();
            obj["type"] = nonNull.Count == 1 ? nonNull[0] : throw new InvalidOperationException("union types are not structural");
        }

        if (obj["enum"] is JsonArray values)
        {
            var nonNullValues = values.Where(v => v is not null).Select(v => v!.DeepClone()).ToArray();
            obj["enum"] = new JsonArray(nonNullValues);
        }
    }

    private static void ApplyTypeAttributes(JsonTypeInfo typeInfo, JsonObject obj)
    {
        var required = new JsonArray();
        foreach (var property in typeInfo.Properties)
        {
            if (property.AttributeProvider?.IsDefined(typeof(RequiredAttribute), inherit: true) == true)
            {
                required.Add((JsonNode)property.Name);
            }
        }

        if (required.Count > 0)
        {
            obj["required"] = required;
        }

        AddCelRules(typeInfo.Type.GetCustomAttributes<CelRuleAttribute>(), obj);
    }

    private static void ApplyPropertyAttributes(ICustomAttributeProvider provider, JsonObject obj)
    {
        foreach (var attribute in provider.GetCustomAttributes(inherit: true))
        {
            switch (attribute)
            {
                case DescriptionAttribute d:
                    obj["description"] = d.Description;
                    break;
                case DefaultValueAttribute dv when dv.Value is not null:
                    obj["default"] = dv.Value switch
                    {
                        int i => JsonValue.Create(i),
                        bool b => JsonValue.Create(b),
                        var other => JsonValue.Create(Convert.ToString(other, CultureInfo.InvariantCulture)),
                    };
                    break;
                case RangeAttribute r:
                    obj["minimum"] = Convert.ToInt64(r.Minimum, CultureInfo.InvariantCulture);
                    obj["maximum"] = Convert.ToInt64(r.Maximum, CultureInfo.InvariantCulture);
                    break;
                case RegularExpressionAttribute re:
                    obj["pattern"] = re.Pattern;
                    break;
                case ListMapKeyAttribute lm:
                    obj["x-kubernetes-list-type"] = "map";
                    obj["x-kubernetes-list-map-keys"] = new JsonArray((JsonNode)lm.Key);
                    break;
                case StringLengthAttribute sl:
                    obj["minLength"] = sl.MinimumLength;
                    obj["maxLength"] = sl.MaximumLength;
                    break;
                default:
                    break;
            }
        }

        AddCelRules(provider.GetCustomAttributes(typeof(CelRuleAttribute), inherit: true).Cast<CelRuleAttribute>(), obj);
    }

    private static void AddCelRules(IEnumerable<CelRuleAttribute> rules, JsonObject obj)
    {
        var list = new JsonArray();
        foreach (var rule in rules)
        {
            list.Add((JsonNode)new JsonObject { ["rule"] = rule.Rule, ["message"] = rule.Message });
        }

        if (list.Count > 0)
        {
            obj["x-kubernetes-validations"] = list;
        }
    }
}
