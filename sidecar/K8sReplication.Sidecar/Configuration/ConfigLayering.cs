using K8sReplication.Contracts.Config;

namespace K8sReplication.Sidecar.Configuration;

/// <summary>Layers config sources field by field: a later source's set (non-null) field wins.</summary>
internal static class ConfigLayering
{
    public static SidecarConfig Merge(params ReadOnlySpan<SidecarConfig?> layers)
    {
        var result = new SidecarConfig();
        foreach (var layer in layers)
        {
            if (layer is not null)
            {
                result = Over(result, layer);
            }
        }

        return result;
    }

    /// <summary>
    /// The part of a pushed config that may change at run time: everything except sidecar-local fields (database,
    /// listen addresses, token file, state dir), which only the pod's own flags, environment and file decide.
    /// </summary>
    public static SidecarConfig Dynamic(SidecarConfig pushed) => pushed with
    {
        Database = null,
        Listen = null,
        AdminListen = null,
        TokenFile = null,
        StateDir = null,
    };

    private static SidecarConfig Over(SidecarConfig low, SidecarConfig high) => new()
    {
        Mesh = high.Mesh ?? low.Mesh,
        Generation = high.Generation ?? low.Generation,
        NodeName = high.NodeName ?? low.NodeName,
        Database = high.Database ?? low.Database,
        Tables = high.Tables ?? low.Tables,
        Listen = high.Listen ?? low.Listen,
        AdminListen = high.AdminListen ?? low.AdminListen,
        Peers = high.Peers ?? low.Peers,
        TokenFile = high.TokenFile ?? low.TokenFile,
        StateDir = high.StateDir ?? low.StateDir,
        Topology = high.Topology ?? low.Topology,
        HotPath = high.HotPath is null ? low.HotPath : new HotPathConfig
        {
            BatchSize = high.HotPath.BatchSize ?? low.HotPath?.BatchSize,
            Wait = high.HotPath.Wait ?? low.HotPath?.Wait,
            MaxBatchBytes = high.HotPath.MaxBatchBytes ?? low.HotPath?.MaxBatchBytes,
            MaxRowBytes = high.HotPath.MaxRowBytes ?? low.HotPath?.MaxRowBytes,
        },
        AntiEntropy = high.AntiEntropy is null ? low.AntiEntropy : new AntiEntropyConfig
        {
            Interval = high.AntiEntropy.Interval ?? low.AntiEntropy?.Interval,
            Budget = high.AntiEntropy.Budget ?? low.AntiEntropy?.Budget,
            Timeout = high.AntiEntropy.Timeout ?? low.AntiEntropy?.Timeout,
        },
        MaxClockSkew = high.MaxClockSkew ?? low.MaxClockSkew,
        TombstoneTtl = high.TombstoneTtl ?? low.TombstoneTtl,
        Paused = high.Paused ?? low.Paused,
    };
}
