using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace K8sReplication.Contracts.Wire;

/// <summary>
/// Encodes SQLite values so they round-trip exactly across processes: <c>null</c>; integers (long) as JSON
/// integers; text as JSON strings; reals as <c>{"f":"1.5"}</c> (round-trip text, keeps 1.0 apart from 1 and carries
/// infinities); blobs as <c>{"b":"base64"}</c>. Any other token is a <see cref="JsonException"/>.
/// </summary>
public sealed class WireValueListConverter : JsonConverter<IReadOnlyList<object?>>
{
    public override IReadOnlyList<object?> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("values must be an array");
        }

        var values = new List<object?>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            values.Add(ReadValue(ref reader));
        }

        return values;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<object?> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var item in value)
        {
            WriteValue(writer, item);
        }

        writer.WriteEndArray();
    }

    public static object? ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                return reader.TryGetInt64(out var l) ? l : throw new JsonException("an untagged number must be a 64-bit integer (reals are {\"f\":\"...\"})");
            case JsonTokenType.StartObject:
                reader.Read();
                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    throw new JsonException("a tagged value needs one property, f or b");
                }

                var tag = reader.GetString();
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw new JsonException("a tagged value's payload must be a string");
                }

                object result = tag switch
                {
                    "f" => double.TryParse(reader.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                        ? d
                        : throw new JsonException("a real value must be a number in text"),
                    "b" => reader.TryGetBytesFromBase64(out var bytes) ? bytes : throw new JsonException("a blob value must be base64"),
                    _ => throw new JsonException($"unknown value tag '{tag}' (expected f or b)"),
                };
                reader.Read();
                return reader.TokenType == JsonTokenType.EndObject ? result : throw new JsonException("a tagged value has exactly one property");
            default:
                throw new JsonException($"unexpected {reader.TokenType} in values");
        }
    }

    public static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case double d:
                writer.WriteStartObject();
                writer.WriteString("f", d.ToString("R", CultureInfo.InvariantCulture));
                writer.WriteEndObject();
                break;
            case byte[] b:
                writer.WriteStartObject();
                writer.WriteBase64String("b", b);
                writer.WriteEndObject();
                break;
            default:
                throw new JsonException($"cannot encode a {value.GetType().Name} as a SQLite value");
        }
    }
}
