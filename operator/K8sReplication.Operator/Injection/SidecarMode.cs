namespace K8sReplication.Operator.Injection;

/// <summary>How the sidecar is added to a pod.</summary>
internal enum SidecarMode
{
    /// <summary>An init container with <c>restartPolicy: Always</c> (Kubernetes 1.29 and later): started before the app, stopped after it.</summary>
    Native,

    /// <summary>A regular container beside the app, for clusters without native sidecars (before 1.29).</summary>
    Classic,
}
