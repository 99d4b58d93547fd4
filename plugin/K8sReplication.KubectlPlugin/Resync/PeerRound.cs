using K8sReplication.Contracts.Health;

namespace K8sReplication.KubectlPlugin.Resync;

/// <summary>The anti-entropy round one member ran against one peer after <c>resync</c> asked for it.</summary>
internal sealed record PeerRound(string Peer, AntiEntropyResult Round);
