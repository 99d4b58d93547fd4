namespace K8sReplication.TestKit.Kube.Schema;

/// <summary>The rule uses CEL the emulator does not implement; such rules are skipped (accepted), never guessed.</summary>
internal sealed class CelUnsupportedException(string message) : Exception(message);
