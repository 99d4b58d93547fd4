using K8sReplication.Sidecar.Peers;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Tests.Storage;

namespace K8sReplication.Sidecar.Tests.Peers;

/// <summary>A peer is bound durably to the site it first reported; other sites are refused with their reason.</summary>
public sealed class SiteBindingsTests : IDisposable
{
    private static readonly SiteId X = SiteId.Parse("000000000000000000000000000000aa");
    private static readonly SiteId Y = SiteId.Parse("000000000000000000000000000000bb");
    private static readonly string[] Peers = ["a", "b"];

    private readonly TestReplica r = new();

    public void Dispose() => r.Dispose();

    [Fact]
    public void FirstSite_IsBound_AndSurvivesReopen()
    {
        new SiteBindings(r.Store).Check("a", X, null, Peers);
        new SiteBindings(r.Store).Check("a", X, null, Peers);
        r.Reopen();
        var e = Assert.Throws<PeerAnswerRejectedException>(() => new SiteBindings(r.Store).Check("a", Y, null, Peers));
        Assert.Equal(RejectReason.SiteChanged, e.Reason);
        Assert.Contains(X.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains(Y.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SiteHeldByAnotherConfiguredPeer_IsTaken()
    {
        var bindings = new SiteBindings(r.Store);
        bindings.Check("a", X, null, Peers);
        Assert.Equal(RejectReason.SiteTaken, Assert.Throws<PeerAnswerRejectedException>(() => bindings.Check("b", X, null, Peers)).Reason);

        // Once "a" is no longer configured, its old site may be claimed (a pod renamed).
        bindings.Check("b", X, null, ["b"]);
    }

    [Fact]
    public void OwnSite_IsTaken()
    {
        var e = Assert.Throws<PeerAnswerRejectedException>(() => new SiteBindings(r.Store).Check("a", r.Store.Site, null, Peers));
        Assert.Equal(RejectReason.SiteTaken, e.Reason);
    }

    [Fact]
    public void ConfiguredSite_RebindsAndIsRequired()
    {
        var bindings = new SiteBindings(r.Store);
        bindings.Check("a", X, null, Peers);

        // The volume of "a" was replaced on purpose: the configuration names the new site.
        bindings.Check("a", Y, Y, Peers);
        Assert.Equal(RejectReason.SiteChanged, Assert.Throws<PeerAnswerRejectedException>(() => bindings.Check("a", X, Y, Peers)).Reason);
        r.Reopen();
        new SiteBindings(r.Store).Check("a", Y, null, Peers);
    }
}
