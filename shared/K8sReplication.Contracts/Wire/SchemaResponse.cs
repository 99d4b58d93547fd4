namespace K8sReplication.Contracts.Wire;

/// <summary>Answer of <c>GET /v1/schema</c>: the serving member's site and its table schema hashes.</summary>
public sealed record SchemaResponse
{
    public string Site { get; init; } = "";

    public IReadOnlyDictionary<string, string> Tables { get; init; } = new Dictionary<string, string>();
}
