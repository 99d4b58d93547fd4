namespace K8sReplication.Contracts.Health;

/// <summary>State of a circuit breaker (around a peer or the local database).</summary>
public enum CircuitState
{
    /// <summary>Requests flow.</summary>
    Closed = 0,

    /// <summary>Too many consecutive failures: requests are not attempted until the open timeout passes.</summary>
    Open = 1,

    /// <summary>One probe request is allowed to test recovery.</summary>
    HalfOpen = 2,
}
