namespace K8sReplication.TestKit.Processes;

/// <summary>The sidecar's <c>{"event":"listening",...}</c> stdout line.</summary>
public sealed record ListeningEvent(Uri Replication, Uri Admin, string Site);
