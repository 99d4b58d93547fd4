namespace K8sReplication.Contracts;

/// <summary>
/// Names and numbers shared by the sidecar, the operator, the chart and the examples. Changing any of these
/// breaks deployed meshes: they are part of the operator ↔ sidecar contract.
/// </summary>
public static class WellKnown
{
    /// <summary>Default port of the replication API (peers and the change feed).</summary>
    public const int ReplicationPort = 8900;

    /// <summary>Default port of the admin API (probes, status, config, metrics).</summary>
    public const int AdminPort = 8901;

    /// <summary>Name of the pod container port that carries the replication API.</summary>
    public const string ReplicationPortName = "k8srepl";

    /// <summary>Name of the pod container port that carries the admin API.</summary>
    public const string AdminPortName = "k8srepl-admin";

    /// <summary>Key inside the auth Secret that holds the bearer token.</summary>
    public const string TokenSecretKey = "token";

    /// <summary>
    /// Request header carrying the bare token, accepted wherever <c>Authorization: Bearer</c> is: kube-apiserver's pod
    /// proxy strips <c>Authorization</c>, so clients that reach a sidecar through it (the kubectl plugin) send this one.
    /// </summary>
    public const string TokenHeader = "X-K8srepl-Token";

    /// <summary>Prefix of every bookkeeping table the sidecar creates inside the app database.</summary>
    public const string BookkeepingTablePrefix = "__repl_";

    /// <summary>Environment variable the kubelet's downward API fills with the pod name.</summary>
    public const string PodNameEnv = "POD_NAME";

    /// <summary>Environment variable with the pod's namespace (downward API), set by the chart for the operator.</summary>
    public const string PodNamespaceEnv = "POD_NAMESPACE";
}
