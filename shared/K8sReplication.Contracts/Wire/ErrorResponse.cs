namespace K8sReplication.Contracts.Wire;

/// <summary>JSON body of every 4xx/5xx answer of the sidecar's APIs.</summary>
public sealed record ErrorResponse
{
    /// <summary>What was wrong, for a human.</summary>
    public string Error { get; init; } = "";

    /// <summary>The field or parameter at fault, when there is one.</summary>
    public string? Field { get; init; }
}
