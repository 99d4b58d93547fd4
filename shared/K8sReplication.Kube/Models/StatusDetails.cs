namespace K8sReplication.Kube.Models;

public sealed class StatusDetails
{
    public string? Name { get; set; }

    public string? Group { get; set; }

    public string? Kind { get; set; }

    public string? Uid { get; set; }

    public IList<StatusCause>? Causes { get; set; }

    public int? RetryAfterSeconds { get; set; }
}
