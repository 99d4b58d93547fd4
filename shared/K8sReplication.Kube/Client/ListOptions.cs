namespace K8sReplication.Kube.Client;

/// <summary>Query options of a list call.</summary>
public sealed record ListOptions
{
    /// <summary>e.g. "app=x,tier in (a,b)"; see <see cref="Models.LabelSelector.ToQueryString"/>.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>e.g. "metadata.name=x,status.phase=Running".</summary>
    public string? FieldSelector { get; init; }

    /// <summary>Page size; the response carries a continue token when more items remain.</summary>
    public int? Limit { get; init; }

    public string? Continue { get; init; }

    /// <summary>Optional resourceVersion semantics ("0" = any cached version).</summary>
    public string? ResourceVersion { get; init; }
}
