using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace K8sReplication.TestKit.Kube.Schema;

/// <summary>
/// Validates an object against an OpenAPI v3 structural schema with the checks and wording of the real server
/// (kube-openapi): types, required, enum, numeric bounds, string length/pattern/format, item and property counts.
/// </summary>
internal static class SchemaValidator
{
    public static List<FieldError> ValidateRoot(JsonObject obj, JsonObject? schema, JsonObject? old = null)
    {
        var errors = new List<FieldError>();
        if (schema is null)
        {
            return errors;
        }

        if (schema["properties"] is JsonObject properties)
        {
            foreach (var (name, childSchema) in properties)
            {
                if (name is "metadata" or "apiVersion" or "kind" || childSchema is not JsonObject cs)
                {
                    continue;
                }

                if (obj[name] is { } child)
                {
                    Validate(child, cs, name, errors, old?[name]);
                }
                else if (obj.ContainsKey(name) && cs["nullable"]?.GetValue<bool>() != true)
                {
                    errors.Add(FieldError.Invalid(name, "\"null\"", $"{name} in body must be of type {cs["type"]}: \"null\""));
                }
            }
        }

        CheckRequired(obj, schema, "", errors);
        return errors;
    }

    private static void Validate(JsonNode node, JsonObject schema, string path, List<FieldError> errors, JsonNode? old)
    {
        var type = schema["type"]?.GetValue<string>();
        var intOrString = schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true;
        var actual = TypeOf(node);
        if (intOrString)
        {
            if (actual is not ("integer" or "string"))
            {
                errors.Add(FieldError.TypeInvalid(path, Quote(actual), $"{path} in body must be of type integer-or-string: {Quote(actual)}"));
                return;
            }
        }
        else if (type is not null && !(type == actual || (type == "number" && actual == "integer")))
        {
            errors.Add(FieldError.TypeInvalid(path, Quote(actual), $"{path} in body must be of type {type}: {Quote(actual)}"));
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, node)))
        {
            errors.Add(FieldError.NotSupported(path, Show(node), allowed.Select(Show)));
        }

        CheckRules(node, schema, path, errors, old, actual);
        switch (node)
        {
            case JsonObject obj:
                ValidateObject(obj, schema, path, errors, old as JsonObject);
                break;
            case JsonArray array:
                ValidateArray(array, schema, path, errors);
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number:
                ValidateNumber(value.GetValue<double>(), Show(node), schema, path, errors);
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                ValidateString(value.GetValue<string>(), schema, path, errors);
                break;
        }
    }

    /// <summary>
    /// <c>x-kubernetes-validations</c> in the supported CEL subset; transition rules (using oldSelf) only run on update
    /// when the old value exists, and rules outside the subset are skipped rather than guessed.
    /// </summary>
    private static void CheckRules(JsonNode node, JsonObject schema, string path, List<FieldError> errors, JsonNode? old, string actualType)
    {
        if (schema["x-kubernetes-validations"] is not JsonArray rules)
        {
            return;
        }

        foreach (var rule in rules.OfType<JsonObject>())
        {
            var text = rule["rule"]?.GetValue<string>() ?? "";
            if (CelExpression.UsesOldSelf(text) && old is null)
            {
                continue;
            }

            bool passed;
            try
            {
                var compiled = CelExpression.Compile(text);
                var scope = new Dictionary<string, object?>(StringComparer.Ordinal) { ["self"] = CelValues.From(node), ["oldSelf"] = CelValues.From(old) };
                passed = CelValues.Truth(compiled(scope));
            }
            catch (CelUnsupportedException)
            {
                continue;
            }
            catch (CelEvaluationException)
            {
                passed = false;
            }

            if (!passed)
            {
                var field = rule["fieldPath"]?.GetValue<string>() is { Length: > 0 } fieldPath ? path + fieldPath : path;
                var message = rule["message"]?.GetValue<string>() is { Length: > 0 } m ? m : $"failed rule: {text}";
                errors.Add(FieldError.Invalid(field, Quote(actualType), message));
            }
        }
    }

    private static void ValidateObject(JsonObject obj, JsonObject schema, string path, List<FieldError> errors, JsonObject? old)
    {
        var properties = schema["properties"] as JsonObject;
        foreach (var (name, child) in obj)
        {
            var childPath = $"{path}.{name}";
            var childSchema = properties?[name] as JsonObject ?? schema["additionalProperties"] as JsonObject;
            if (childSchema is null)
            {
                continue;
            }

            if (child is null)
            {
                if (childSchema["nullable"]?.GetValue<bool>() != true)
                {
                    errors.Add(FieldError.TypeInvalid(childPath, "\"null\"", $"{childPath} in body must be of type {childSchema["type"]}: \"null\""));
                }

                continue;
            }

            Validate(child, childSchema, childPath, errors, old?[name]);
        }

        CheckRequired(obj, schema, path, errors);
        if (schema["minProperties"] is { } minProperties && obj.Count < minProperties.GetValue<int>())
        {
            errors.Add(FieldError.Invalid(path, Show(obj), $"{path} in body should have at least {minProperties} properties"));
        }

        if (schema["maxProperties"] is { } maxProperties && obj.Count > maxProperties.GetValue<int>())
        {
            errors.Add(FieldError.Invalid(path, Show(obj), $"{path} in body should have at most {maxProperties} properties"));
        }
    }

    private static void CheckRequired(JsonObject obj, JsonObject schema, string path, List<FieldError> errors)
    {
        foreach (var required in schema["required"]?.AsArray() ?? [])
        {
            var name = required!.GetValue<string>();
            if (!obj.ContainsKey(name))
            {
                errors.Add(FieldError.Required(path.Length == 0 ? name : $"{path}.{name}"));
            }
        }
    }

    private static void ValidateArray(JsonArray array, JsonObject schema, string path, List<FieldError> errors)
    {
        if (schema["minItems"] is { } minItems && array.Count < minItems.GetValue<int>())
        {
            errors.Add(FieldError.Invalid(path, array.Count.ToString(CultureInfo.InvariantCulture), $"{path} in body should have at least {minItems} items"));
        }

        if (schema["maxItems"] is { } maxItems && array.Count > maxItems.GetValue<int>())
        {
            errors.Add(new FieldError(path, "FieldValueTooMany", $"Too many: {array.Count}: must have at most {maxItems} items"));
        }

        if (schema["items"] is JsonObject items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                var itemPath = $"{path}[{i}]";
                if (array[i] is { } item)
                {
                    Validate(item, items, itemPath, errors, null);
                }
                else if (items["nullable"]?.GetValue<bool>() != true)
                {
                    errors.Add(FieldError.TypeInvalid(itemPath, "\"null\"", $"{itemPath} in body must be of type {items["type"]}: \"null\""));
                }
            }
        }
    }

    private static void ValidateNumber(double value, string shown, JsonObject schema, string path, List<FieldError> errors)
    {
        if (schema["maximum"] is { } maxNode)
        {
            var max = maxNode.GetValue<double>();
            var exclusive = schema["exclusiveMaximum"]?.GetValue<bool>() == true;
            if (exclusive ? value >= max : value > max)
            {
                var relation = exclusive ? "less than" : "less than or equal to";
                errors.Add(FieldError.Invalid(path, shown, $"{path} in body should be {relation} {maxNode.ToJsonString()}"));
            }
        }

        if (schema["minimum"] is { } minNode)
        {
            var min = minNode.GetValue<double>();
            var exclusive = schema["exclusiveMinimum"]?.GetValue<bool>() == true;
            if (exclusive ? value <= min : value < min)
            {
                var relation = exclusive ? "greater than" : "greater than or equal to";
                errors.Add(FieldError.Invalid(path, shown, $"{path} in body should be {relation} {minNode.ToJsonString()}"));
            }
        }

        if (schema["multipleOf"] is { } multipleNode && multipleNode.GetValue<double>() is var multiple && multiple > 0
            && Math.Abs(Math.IEEERemainder(value, multiple)) > 1e-9)
        {
            errors.Add(FieldError.Invalid(path, shown, $"{path} in body should be a multiple of {multipleNode.ToJsonString()}"));
        }

        var format = schema["format"]?.GetValue<string>();
        if (format == "int32" && (value > int.MaxValue || value < int.MinValue))
        {
            errors.Add(FieldError.Invalid(path, shown, $"{path} in body must be of type int32: {shown}"));
        }
    }

    private static void ValidateString(string value, JsonObject schema, string path, List<FieldError> errors)
    {
        var length = value.EnumerateRunes().Count();
        if (schema["minLength"] is { } minLength && length < minLength.GetValue<int>())
        {
            errors.Add(FieldError.Invalid(path, Quote(value), $"{path} in body should be at least {minLength} chars long"));
        }

        if (schema["maxLength"] is { } maxLength && length > maxLength.GetValue<int>())
        {
            errors.Add(new FieldError(path, "FieldValueTooLong", $"Too long: may not be more than {maxLength} bytes"));
        }

        if (schema["pattern"]?.GetValue<string>() is { } pattern && !Regex.IsMatch(value, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            errors.Add(FieldError.Invalid(path, Quote(value), $"{path} in body should match '{pattern}'"));
        }

        var format = schema["format"]?.GetValue<string>();
        if (format is not null && !StringFormats.IsValid(format, value))
        {
            errors.Add(FieldError.Invalid(path, Quote(value), $"{path} in body must be of type {format}: {Quote(value)}"));
        }
    }

    private static string TypeOf(JsonNode node) => node switch
    {
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => IsInteger(v) ? "integer" : "number",
            _ => "null",
        },
        _ => "null",
    };

    private static bool IsInteger(JsonValue value) =>
        double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && Math.Floor(d) == d
        && !value.ToJsonString().Contains('.', StringComparison.Ordinal);

    /// <summary>Renders a value the way Go's field errors print it: strings quoted, numbers bare.</summary>
    internal static string Show(JsonNode? node) => node switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Quote(v.GetValue<string>()),
        JsonObject => "\"object\"",
        _ => node.ToJsonString(),
    };

    private static string Quote(string value) => JsonSerializer.Serialize(value, SchemaJsonContext.Default.String);
}
