using k8s.Models;

namespace K8sReplication.Kube.Client;

/// <summary>410 Gone: the requested resourceVersion is older than the server's history. The caller must relist.</summary>
public sealed class ResourceExpiredException : KubeApiException
{
    public ResourceExpiredException()
        : this("resourceVersion too old", (V1Status?)null)
    {
    }

    public ResourceExpiredException(string message)
        : this(message, (V1Status?)null)
    {
    }

    public ResourceExpiredException(string message, Exception innerException)
        : base(message, 410, null, innerException)
    {
    }

    public ResourceExpiredException(string message, V1Status? status)
        : base(message, 410, status)
    {
    }

    public override bool IsTransient => false;
}
