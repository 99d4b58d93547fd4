namespace K8sReplication.Kube.Events;

/// <summary>What makes two events "the same" for deduplication.</summary>
internal readonly record struct EventKey(string? Namespace, string? Kind, string? Name, string? Uid, string Type, string Reason,
    string Action, string Note);
