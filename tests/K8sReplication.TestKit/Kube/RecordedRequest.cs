namespace K8sReplication.TestKit.Kube;

/// <summary>
/// One request the emulator served. <paramref name="Verb"/> is the Kubernetes verb (get, list, watch, create, update,
/// patch, delete, deletecollection). <paramref name="Group"/> is "" for the core group and null for non-resource
/// requests (discovery, /version, /openapi), whose <paramref name="Resource"/> is the path.
/// </summary>
public sealed record RecordedRequest(string Verb, string? Group, string Version, string Resource, string? Subresource,
    string? Namespace, string? Name, string UserAgent, int StatusCode);
