using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Tests.Storage;

/// <summary>Hand-made remote changes for the kv(k TEXT PRIMARY KEY, v) test table.</summary>
internal static class ChangeFactory
{
    public static readonly SiteId SiteA = SiteId.Parse("0000000000000000000000000000000a");
    public static readonly SiteId SiteB = SiteId.Parse("0000000000000000000000000000000b");

    public static long NowHlc(long plusMs = 0) => (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + plusMs) << 16;

    public static Change Kv(string key, object? value, long hlc, SiteId site) =>
        new("kv", KeyCodec.Encode([key]), new RowVersion(hlc, site, false), [key, value], 0);

    public static Change KvDelete(string key, long hlc, SiteId site) =>
        new("kv", KeyCodec.Encode([key]), new RowVersion(hlc, site, true), null, 0);
}
