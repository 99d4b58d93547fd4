using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace K8sReplication.Sidecar.Configuration;

/// <summary>
/// Converts a YAML document to a JSON tree so YAML and JSON configs share one deserializer and one validator.
/// Plain scalars <c>true/false</c> become booleans and <c>null/~</c> null; every other scalar stays text (numbers
/// are read from text by the deserializer), so a node name like <c>007</c> is never mangled into a number.
/// </summary>
/// <remarks>
/// Works on the parser's event stream, iteratively, rather than on a loaded <c>YamlStream</c>: the stream resolves
/// aliases (a few hundred bytes of nested aliases expand to gigabytes) and its loader recurses once per nesting
/// level (deep nesting overflows the stack). Here anchors and aliases are refused at the event that introduces
/// them, before anything is expanded, and nesting beyond <see cref="ConfigLimits.MaxNestingDepth"/> is refused at
/// the first level too deep, so the work is linear in the document size.
/// </remarks>
internal static class YamlToJson
{
    public static JsonNode? Convert(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        var open = new Stack<Container>();
        JsonNode? root = null;
        var documents = 0;
        while (MoveNext(parser))
        {
            switch (parser.Current)
            {
                case DocumentStart start:
                    if (++documents > 1)
                    {
                        throw new YamlException(start.Start, start.End, "a config holds one YAML document; found a second one");
                    }

                    break;
                case AnchorAlias alias:
                    throw new YamlException(alias.Start, alias.End, $"aliases are not allowed in the sidecar config (found *{InputQuote.Clean(alias.Value.Value, InputQuote.MaxQuotedChars)})");
                case NodeEvent node when !node.Anchor.IsEmpty:
                    throw new YamlException(node.Start, node.End, $"anchors are not allowed in the sidecar config (found &{InputQuote.Clean(node.Anchor.Value, InputQuote.MaxQuotedChars)})");
                case MappingStart mapping:
                    Open(mapping, new JsonObject(), open, ref root);
                    break;
                case SequenceStart sequence:
                    Open(sequence, new JsonArray(), open, ref root);
                    break;
                case MappingEnd or SequenceEnd:
                    open.Pop();
                    break;
                case Scalar scalar:
                    if (open.TryPeek(out var parent) && parent.ExpectsKey)
                    {
                        parent.SetKey(scalar);
                    }
                    else
                    {
                        Add(ConvertScalar(scalar), open, ref root);
                    }

                    break;
            }
        }

        return root;
    }

    private static bool MoveNext(Parser parser)
    {
        try
        {
            return parser.MoveNext();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet reports some malformed input (a stray bracket inside a plain scalar, a key after a document
            // end marker, a tag that is not a URI) as an invalid state or argument rather than a YamlException; it
            // is bad input all the same. Only the parser's own call is covered, so a bug of ours still surfaces.
            var at = parser.Current?.End ?? Mark.Empty;
            throw new YamlException(at, at, "not well-formed YAML near here", e);
        }
    }

    private static void Open(NodeEvent start, JsonNode container, Stack<Container> open, ref JsonNode? root)
    {
        if (open.TryPeek(out var parent) && parent.ExpectsKey)
        {
            throw new YamlException(start.Start, start.End, "mapping keys must be scalars");
        }

        if (open.Count >= ConfigLimits.MaxNestingDepth)
        {
            throw new YamlException(start.Start, start.End, $"nested deeper than {ConfigLimits.MaxNestingDepth} levels");
        }

        Add(container, open, ref root);
        open.Push(new Container(container));
    }

    private static void Add(JsonNode? value, Stack<Container> open, ref JsonNode? root)
    {
        if (open.TryPeek(out var parent))
        {
            parent.Add(value);
        }
        else
        {
            root = value;
        }
    }

    private static JsonValue? ConvertScalar(Scalar scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.Plain)
        {
            switch (text)
            {
                case "" or "~" or "null" or "Null" or "NULL":
                    return null;
                case "true" or "True" or "TRUE":
                    return JsonValue.Create(true);
                case "false" or "False" or "FALSE":
                    return JsonValue.Create(false);
            }
        }

        return JsonValue.Create(text);
    }

    /// <summary>An open mapping (with the key waiting for its value) or sequence.</summary>
    private sealed class Container(JsonNode node)
    {
        private string? _key;

        public bool ExpectsKey => node is JsonObject && _key is null;

        public void SetKey(Scalar key)
        {
            var obj = (JsonObject)node;
            if (obj.ContainsKey(key.Value))
            {
                throw new YamlException(key.Start, key.End, $"duplicate key {InputQuote.Quote(key.Value)}");
            }

            _key = key.Value;
        }

        public void Add(JsonNode? value)
        {
            if (node is JsonArray array)
            {
                array.Add(value);
            }
            else
            {
                ((JsonObject)node)[_key!] = value;
                _key = null;
            }
        }
    }
}
