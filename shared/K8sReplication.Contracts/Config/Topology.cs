namespace K8sReplication.Contracts.Config;

/// <summary>How members are connected; decides whether tailers filter the feed by origin.</summary>
public enum Topology
{
    /// <summary>Every member tails every other member and asks only for changes that originated there.</summary>
    FullMesh = 0,

    /// <summary>Members tail a few peers and forward every change they hold.</summary>
    Sparse = 1,
}
