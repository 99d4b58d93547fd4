namespace K8sReplication.Kube.Models;

public sealed class ConfigMap : IKubeObject
{
    public string? ApiVersion { get; set; } = "v1";

    public string? Kind { get; set; } = "ConfigMap";

    public ObjectMeta Metadata { get; set; } = new();

    public IDictionary<string, string>? Data { get; set; }
}
