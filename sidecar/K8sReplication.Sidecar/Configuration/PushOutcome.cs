namespace K8sReplication.Sidecar.Configuration;

/// <summary>Result of offering a new config (push or file reload) to <see cref="LiveConfig"/>.</summary>
internal enum PushOutcome
{
    Applied,
    Unchanged,
    StaleGeneration,
    Invalid,
}
