namespace K8sReplication.TestKit.Network;

/// <summary>What a <see cref="FaultProxy"/> does with traffic.</summary>
public enum FaultMode
{
    /// <summary>Forward bytes unchanged.</summary>
    Pass,

    /// <summary>Forward each chunk after <see cref="FaultProxy.Delay"/>.</summary>
    Delay,

    /// <summary>Accept connections and read bytes, but forward nothing in either direction (blackhole).</summary>
    Drop,

    /// <summary>Close new connections at once; existing ones keep flowing.</summary>
    Refuse,
}
