namespace K8sReplication.Kube.Models;

public sealed class PodSpec
{
    public IList<Container> Containers { get; set; } = [];

    public IList<Container>? InitContainers { get; set; }

    public string? NodeName { get; set; }
}
