namespace K8sReplication.Kube.Resources;

/// <summary>One list page asked of the API server; a null namespace lists across namespaces.</summary>
public sealed record ListRequest(string? Namespace, string? LabelSelector, string? FieldSelector, string? Continue, int Limit);
