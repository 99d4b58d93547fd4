using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Storage;

namespace K8sReplication.TestKit.Kube.Protobuf;

/// <summary>
/// Decodes a Kubernetes protobuf request body (<c>k8s\0</c> magic + runtime.Unknown envelope) into JSON for the kinds in
/// <see cref="ProtoSchemas"/>; any other kind is 415, which is what a server without that codec answers.
/// </summary>
internal static class ProtobufBody
{
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    public static JsonObject Decode(byte[] body)
    {
        if (body.Length < Magic.Length || !body.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw Unsupported("protobuf body without the k8s magic prefix");
        }

        var envelope = Fields(body.AsMemory(Magic.Length));
        var typeMeta = envelope.FirstOrDefault(f => f.Number == 1).Data;
        var raw = envelope.FirstOrDefault(f => f.Number == 2).Data;
        var meta = Fields(typeMeta);
        var apiVersion = Text(meta.FirstOrDefault(f => f.Number == 1).Data);
        var kind = Text(meta.FirstOrDefault(f => f.Number == 2).Data);
        if (!ProtoSchemas.ByKind.TryGetValue($"{apiVersion}/{kind}", out var schema))
        {
            throw Unsupported($"protobuf bodies are only understood for Secret, ConfigMap, Namespace and ServiceAccount, not {apiVersion}/{kind}; send JSON");
        }

        var obj = Message(raw, schema);
        obj["apiVersion"] = apiVersion;
        obj["kind"] = kind;
        return obj;
    }

    private static JsonObject Message(ReadOnlyMemory<byte> data, IReadOnlyDictionary<int, ProtoField> schema)
    {
        var obj = new JsonObject();
        foreach (var (number, wireType, value, bytes) in Fields(data))
        {
            if (!schema.TryGetValue(number, out var field))
            {
                continue;
            }

            switch (field.Kind)
            {
                case ProtoKind.String:
                    obj[field.Name] = Text(bytes);
                    break;
                case ProtoKind.Bool:
                    obj[field.Name] = value != 0;
                    break;
                case ProtoKind.Int64:
                    obj[field.Name] = (long)value;
                    break;
                case ProtoKind.Bytes:
                    obj[field.Name] = Convert.ToBase64String(bytes.Span);
                    break;
                case ProtoKind.Time:
                    var seconds = (long)Fields(bytes).FirstOrDefault(f => f.Number == 1).Value;
                    obj[field.Name] = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                    break;
                case ProtoKind.Message:
                    obj[field.Name] = Message(bytes, field.Message!);
                    break;
                case ProtoKind.RepeatedString:
                    Array(obj, field.Name).Add(Text(bytes));
                    break;
                case ProtoKind.RepeatedMessage:
                    Array(obj, field.Name).Add(Message(bytes, field.Message!));
                    break;
                case ProtoKind.MapStringString or ProtoKind.MapStringBytes:
                    var entry = Fields(bytes);
                    var key = Text(entry.FirstOrDefault(f => f.Number == 1).Data);
                    var entryValue = entry.FirstOrDefault(f => f.Number == 2).Data;
                    var map = obj[field.Name] as JsonObject ?? [];
                    map[key] = field.Kind == ProtoKind.MapStringString ? Text(entryValue) : Convert.ToBase64String(entryValue.Span);
                    obj[field.Name] = map;
                    break;
            }

            _ = wireType;
        }

        return obj;
    }

    private static JsonArray Array(JsonObject obj, string name)
    {
        if (obj[name] is not JsonArray array)
        {
            array = [];
            obj[name] = array;
        }

        return array;
    }

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    /// <summary>Splits a message into (field number, wire type, varint value, length-delimited bytes).</summary>
    private static List<(int Number, int WireType, ulong Value, ReadOnlyMemory<byte> Data)> Fields(ReadOnlyMemory<byte> data)
    {
        var fields = new List<(int, int, ulong, ReadOnlyMemory<byte>)>();
        var span = data.Span;
        var position = 0;
        while (position < span.Length)
        {
            var tag = Varint(span, ref position);
            var number = (int)(tag >> 3);
            var wireType = (int)(tag & 7);
            switch (wireType)
            {
                case 0:
                    fields.Add((number, wireType, Varint(span, ref position), ReadOnlyMemory<byte>.Empty));
                    break;
                case 1:
                    fields.Add((number, wireType, BitConverter.ToUInt64(span.Slice(position, 8)), ReadOnlyMemory<byte>.Empty));
                    position += 8;
                    break;
                case 2:
                    var length = (int)Varint(span, ref position);
                    fields.Add((number, wireType, 0, data.Slice(position, length)));
                    position += length;
                    break;
                case 5:
                    fields.Add((number, wireType, BitConverter.ToUInt32(span.Slice(position, 4)), ReadOnlyMemory<byte>.Empty));
                    position += 4;
                    break;
                default:
                    throw Unsupported($"protobuf wire type {wireType} is not supported");
            }
        }

        return fields;
    }

    private static ulong Varint(ReadOnlySpan<byte> span, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = span[position++];
            result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw Unsupported("malformed protobuf varint");
    }

    private static ApiException Unsupported(string message) => new(415, "UnsupportedMediaType", message);
}
