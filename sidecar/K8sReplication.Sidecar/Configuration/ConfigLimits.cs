namespace K8sReplication.Sidecar.Configuration;

/// <summary>
/// Bounds on a config document and its names. A config comes from the network (<c>PUT /v1/config</c>) or a mounted
/// file, so it is parsed as untrusted input: bounded in size and nesting so parsing it costs bounded time, stack
/// and memory whatever it holds.
/// </summary>
internal static class ConfigLimits
{
    /// <summary>Largest config document, file or push (the push body limit: one limit for both ways in).</summary>
    public const long MaxDocumentBytes = SidecarDefaults.MaxRequestBodyBytes;

    /// <summary>
    /// Deepest nesting of mappings and sequences (JSON objects and arrays). A real config nests three deep
    /// (<c>peers[0].url</c>); the limit keeps the converters' and deserializer's work bounded.
    /// </summary>
    public const int MaxNestingDepth = 32;

    /// <summary>Longest node, peer, mesh or table name: a Kubernetes object name (DNS subdomain) is at most 253.</summary>
    public const int MaxNameLength = 253;
}
