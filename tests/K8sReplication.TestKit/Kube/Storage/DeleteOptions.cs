namespace K8sReplication.TestKit.Kube.Storage;

/// <summary>The parts of metav1.DeleteOptions the emulator honours.</summary>
internal sealed record DeleteOptions(string? PropagationPolicy, string? PreconditionUid, string? PreconditionResourceVersion, bool DryRun);
