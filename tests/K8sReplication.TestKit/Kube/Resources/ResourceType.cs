using System.Text.Json.Nodes;

namespace K8sReplication.TestKit.Kube.Resources;

/// <summary>A servable resource (built-in or from a CRD): naming, scope, subresources, schema and printer columns.</summary>
internal sealed record ResourceType
{
    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Plural { get; init; }

    public required string Singular { get; init; }

    public required string Kind { get; init; }

    public required bool Namespaced { get; init; }

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    public bool HasStatus { get; init; }

    /// <summary>OpenAPI v3 schema of a custom resource; null for built-ins (no structural validation).</summary>
    public JsonObject? Schema { get; init; }

    public IReadOnlyList<PrinterColumn> Columns { get; init; } = [];

    /// <summary>True for custom resources: updates must carry metadata.resourceVersion and bodies are pruned.</summary>
    public bool IsCustom { get; init; }

    /// <summary>Set when this resource is a view of another resource's storage (events.k8s.io Events).</summary>
    public IStorageConversion? Conversion { get; init; }

    /// <summary>Objects of all versions of one group/resource share a storage key.</summary>
    public string StorageKey => $"{Group}/{Plural}";

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string GroupVersion => ApiVersion;

    /// <summary>The resource name the real server uses in messages: <c>plural</c> or <c>plural.group</c>.</summary>
    public string QualifiedResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public string ListKind => Kind + "List";
}
