namespace K8sReplication.Kube.Config;

/// <summary>Kubeconfig or in-cluster configuration is missing or broken; the message names the file and field.</summary>
public sealed class KubeConfigException : Exception
{
    public KubeConfigException()
        : this("Kubernetes client configuration is invalid")
    {
    }

    public KubeConfigException(string message)
        : base(message)
    {
    }

    public KubeConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
