using K8sReplication.Contracts.Mesh;

namespace K8sReplication.Operator.Mesh;

/// <summary>
/// What the reconcile knows of a mesh's certificates when it builds the status: the TLS mode, the Secret members
/// mount, and for mode Operator the issuing outcome (its reason and message; <see cref="Blocked"/> when the stored
/// authority is unusable).
/// </summary>
internal sealed record TlsExpectation(TlsMode Mode, string SecretName, string Reason, string Message, bool Blocked = false);
