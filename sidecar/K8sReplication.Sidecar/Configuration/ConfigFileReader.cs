using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using K8sReplication.Contracts.Config;
using K8sReplication.Contracts.Json;
using YamlDotNet.Core;

namespace K8sReplication.Sidecar.Configuration;

/// <summary>
/// Reads a config document (JSON or YAML, from a file or a <c>PUT /v1/config</c> body) into <see cref="SidecarConfig"/>
/// through <see cref="ContractsJsonContext"/>: one deserializer, so unknown keys and wrong types are rejected alike.
/// </summary>
internal static class ConfigFileReader
{
    /// <summary>Contract options plus numbers-from-text, because YAML scalars arrive as text.</summary>
    private static readonly ContractsJsonContext Context = new(new JsonSerializerOptions(ContractsJsonContext.Default.Options)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString,
    });

    private static readonly JsonDocumentOptions JsonOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = ConfigLimits.MaxNestingDepth,
        AllowDuplicateProperties = false,
    };

    /// <summary>
    /// Reads the file, or returns null when it does not exist (yet): under the operator the file is this pod's entry
    /// of the mesh ConfigMap, which appears only after the operator has seen the pod, so the sidecar starts without
    /// it and the watcher picks it up when it lands.
    /// </summary>
    public static SidecarConfig? ReadFileIfPresent(string path) => File.Exists(path) ? ReadFile(path) : null;

    public static SidecarConfig ReadFile(string path) => Parse(ReadBounded(path, "--config"), "--config");

    /// <summary>
    /// Reads a config file of at most <see cref="ConfigLimits.MaxDocumentBytes"/>, the push body limit; reading
    /// stops one byte past the limit, so a huge (or growing) file is never loaded whole.
    /// </summary>
    public static string ReadBounded(string path, string sourceKey)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var buffer = new byte[Math.Min(file.Length, ConfigLimits.MaxDocumentBytes) + 1];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = file.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            if (total > ConfigLimits.MaxDocumentBytes)
            {
                throw new ConfigRejectedException([new ConfigError(sourceKey, $"{path} is larger than {ConfigLimits.MaxDocumentBytes} bytes")]);
            }

            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetString(buffer, 0, total).TrimStart('\uFEFF');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigRejectedException([new ConfigError(sourceKey, $"cannot read '{path}': {e.Message}")]);
        }
    }

    /// <summary>
    /// Parses JSON when the document starts with <c>{</c>, YAML otherwise (YAML is a JSON superset). Either way the
    /// document is bounded (<see cref="ConfigLimits"/>) and YAML anchors and aliases are refused.
    /// </summary>
    public static SidecarConfig Parse(string text, string sourceKey)
    {
        if (text.Length > ConfigLimits.MaxDocumentBytes)
        {
            throw new ConfigRejectedException([new ConfigError(sourceKey, $"the config document is larger than {ConfigLimits.MaxDocumentBytes} bytes")]);
        }

        JsonNode? node;
        try
        {
            node = text.TrimStart().StartsWith('{')
                ? JsonNode.Parse(text, documentOptions: JsonOptions)
                : YamlToJson.Convert(text);
        }
        catch (JsonException e)
        {
            throw new ConfigRejectedException([new ConfigError(sourceKey, $"malformed JSON: {ExceptionText(e)}")]);
        }
        catch (YamlException e)
        {
            throw new ConfigRejectedException([new ConfigError(sourceKey, $"malformed YAML at line {e.Start.Line}: {ExceptionText(e)}")]);
        }

        if (node is null)
        {
            return new SidecarConfig();
        }

        if (node is not JsonObject)
        {
            throw new ConfigRejectedException([new ConfigError(sourceKey, "the config document must be an object")]);
        }

        return Deserialize(node, sourceKey);
    }

    private static SidecarConfig Deserialize(JsonNode node, string sourceKey)
    {
        try
        {
            return node.Deserialize(Context.SidecarConfig) ?? new SidecarConfig();
        }
        catch (JsonException e)
        {
            // The path names the key at fault ($.peers[1].url, $.antiEntropy.budget) or the unknown member.
            var key = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? sourceKey : e.Path.TrimStart('$', '.');
            throw new ConfigRejectedException([new ConfigError(key, ExceptionText(e))]);
        }
    }

    /// <summary>A parser's message may repeat input (a member name, a key path): abridged.</summary>
    private static string ExceptionText(Exception e) => InputQuote.Abridge(e.Message);
}
