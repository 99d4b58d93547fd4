namespace K8sReplication.TestKit.Kube.Protobuf;

/// <summary>How one protobuf field of a Kubernetes message maps to JSON.</summary>
internal sealed record ProtoField(string Name, ProtoKind Kind, IReadOnlyDictionary<int, ProtoField>? Message = null);
