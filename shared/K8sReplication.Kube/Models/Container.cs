namespace K8sReplication.Kube.Models;

public sealed class Container
{
    public string Name { get; set; } = "";

    public string? Image { get; set; }

    public IList<ContainerPort>? Ports { get; set; }

    /// <summary>"Always" on an init container makes it a native sidecar.</summary>
    public string? RestartPolicy { get; set; }
}
