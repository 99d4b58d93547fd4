namespace K8sReplication.Kube.Resources;

/// <summary>One page of a list: its items, the snapshot version (where a following watch starts) and the continue token.</summary>
public sealed record KubeListPage<T>(IReadOnlyList<T> Items, string? ResourceVersion, string? Continue);
