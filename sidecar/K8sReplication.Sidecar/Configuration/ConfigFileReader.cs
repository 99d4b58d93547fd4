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

    /// <summary>
    /// Reads the file, or returns null when it does not exist (yet): under the operator the file is this pod's entry
    /// of the mesh ConfigMap, which appears only after the operator has seen the pod, so the sidecar starts without
    /// it and the watcher picks it up when it lands.
    /// </summary>
    public static SidecarConfig? ReadFileIfPresent(string path) => File.Exists(path) ? ReadFile(path) : null;

    public static SidecarConfig ReadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigRejectedException([new ConfigError("--config", $"cannot read '{path}': {e.Message}")]);
        }

        return Parse(text, "--config");
    }

    /// <summary>Parses JSON when the document starts with <c>{</c>, YAML otherwise (YAML is a JSON superset).</summary>
    public static SidecarConfig Parse(string text, string sourceKey)
    {
        JsonNode? node;
        try
        {
            node = text.TrimStart().StartsWith('{')
                ? JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })
                : YamlToJson.Convert(text);
        }
        catch (JsonException e)
        {
            throw new ConfigRejectedException([new ConfigError(sourceKey, $"malformed JSON: {e.Message}")]);
        }
        catch (YamlException e)
        {
            throw new ConfigRejectedException([new ConfigError(sourceKey, $"malformed YAML at line {e.Start.Line}: {e.Message}")]);
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
            throw new ConfigRejectedException([new ConfigError(key, e.Message)]);
        }
    }
}
