namespace K8sReplication.Kube.Models;

/// <summary>core/v1 Secret. <see cref="Data"/> values are raw bytes; JSON carries them base64-encoded.</summary>
public sealed class Secret : IKubeObject
{
    public string? ApiVersion { get; set; } = "v1";

    public string? Kind { get; set; } = "Secret";

    public ObjectMeta Metadata { get; set; } = new();

    public string? Type { get; set; }

    public IDictionary<string, byte[]>? Data { get; set; }

    /// <summary>Write-only convenience: the server merges it into data.</summary>
    public IDictionary<string, string>? StringData { get; set; }
}
