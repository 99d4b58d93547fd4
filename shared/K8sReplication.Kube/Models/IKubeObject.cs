namespace K8sReplication.Kube.Models;

/// <summary>Any Kubernetes object: apiVersion, kind and metadata. The client fills apiVersion/kind on writes when null.</summary>
public interface IKubeObject
{
    string? ApiVersion { get; set; }

    string? Kind { get; set; }

    ObjectMeta Metadata { get; set; }
}
