namespace K8sReplication.TestKit.Kube.Protobuf;

/// <summary>The wire shapes the supported Kubernetes messages use.</summary>
internal enum ProtoKind
{
    String,
    Bool,
    Int64,
    Bytes,
    Time,
    Message,
    RepeatedString,
    RepeatedMessage,
    MapStringString,
    MapStringBytes,
}
