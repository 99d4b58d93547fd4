namespace K8sReplication.Contracts.Health;

/// <summary>Life cycle of the sidecar's replication engine; exported as <c>replication_engine_state</c>.</summary>
public enum EngineState
{
    /// <summary>Constructed, not started.</summary>
    Created = 0,

    /// <summary>Opening the database, installing bookkeeping, starting loops.</summary>
    Starting = 1,

    /// <summary>Replicating.</summary>
    Running = 2,

    /// <summary>Draining after SIGTERM.</summary>
    ShuttingDown = 3,

    /// <summary>Stopped cleanly.</summary>
    Stopped = 4,

    /// <summary>An unrecoverable start-up error; see <see cref="SidecarHealth.Errors"/>.</summary>
    Failed = 5,
}
