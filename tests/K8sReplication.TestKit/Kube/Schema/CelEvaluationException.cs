namespace K8sReplication.TestKit.Kube.Schema;

/// <summary>A CEL runtime error (missing key, bad operand), which the real server reports as a failed rule.</summary>
internal sealed class CelEvaluationException(string message) : Exception(message);
