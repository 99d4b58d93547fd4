namespace K8sReplication.Observability.Health;

/// <summary>The outcome of a probe: healthy or not, and a short reason shown in the response body.</summary>
public readonly record struct ProbeResult(bool IsHealthy, string Reason)
{
    public static ProbeResult Healthy(string reason = "ok") => new(true, reason);

    public static ProbeResult Unhealthy(string reason) => new(false, reason);
}
