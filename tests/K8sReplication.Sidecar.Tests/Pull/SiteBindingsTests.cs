using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Tests.Storage;

namespace K8sReplication.Sidecar.Tests.Pull;

/// <summary>A peer is bound durably to the site it first reported at its address; other sites are refused with their reason.</summary>
public sealed class SiteBindingsTests : IDisposable
{
    private static readonly SiteId X = SiteId.Parse("000000000000000000000000000000aa");
    private static readonly SiteId Y = SiteId.Parse("000000000000000000000000000000bb");
    private static readonly PeerSettings A = new("a", new Uri("http://10.0.0.1:8900/"));
    private static readonly PeerSettings B = new("b", new Uri("http://10.0.0.2:8900/"));
    private static readonly PeerSettings[] Peers = [A, B];

    private readonly TestReplica r = new();

    public void Dispose() => r.Dispose();

    [Fact]
    public void FirstSite_IsBound_AndSurvivesReopen()
    {
        new SiteBindings(r.Store).Check(A, X, Peers);
        new SiteBindings(r.Store).Check(A, X, Peers);
        r.Reopen();
        var e = Assert.Throws<PeerAnswerRejectedException>(() => new SiteBindings(r.Store).Check(A, Y, Peers));
        Assert.Equal(RejectReason.SiteChanged, e.Reason);
        Assert.Contains(X.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Contains(Y.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SiteHeldByAnotherConfiguredPeer_IsTaken()
    {
        var bindings = new SiteBindings(r.Store);
        bindings.Check(A, X, Peers);
        Assert.Equal(RejectReason.SiteTaken, Assert.Throws<PeerAnswerRejectedException>(() => bindings.Check(B, X, Peers)).Reason);

        // Once "a" is no longer configured, its old site may be claimed (a pod renamed).
        bindings.Check(B, X, [B]);
    }

    [Fact]
    public void OwnSite_IsTaken()
    {
        var e = Assert.Throws<PeerAnswerRejectedException>(() => new SiteBindings(r.Store).Check(A, r.Store.Site, Peers));
        Assert.Equal(RejectReason.SiteTaken, e.Reason);
    }

    [Fact]
    public void PeerMovedToAnotherAddress_MayReportANewSite_ThereOnly()
    {
        var bindings = new SiteBindings(r.Store);
        bindings.Check(A, X, Peers);

        // The configuration moved "a" (a recreated pod, a fresh volume): the site it reports there is bound.
        var moved = A with { Url = new Uri("http://10.0.0.9:8900/") };
        bindings.Check(moved, Y, [moved, B]);
        Assert.Equal(RejectReason.SiteChanged, Assert.Throws<PeerAnswerRejectedException>(() => bindings.Check(moved, X, [moved, B])).Reason);
        r.Reopen();
        Assert.Equal(RejectReason.SiteChanged, Assert.Throws<PeerAnswerRejectedException>(() => new SiteBindings(r.Store).Check(moved, X, [moved, B])).Reason);
    }

    [Fact]
    public void ConfiguredSite_RebindsAndIsRequired()
    {
        var bindings = new SiteBindings(r.Store);
        bindings.Check(A, X, Peers);

        // The volume of "a" was replaced on purpose at the same address: the configuration names the new site.
        var named = A with { Site = Y.ToString() };
        bindings.Check(named, Y, [named, B]);
        Assert.Equal(RejectReason.SiteChanged, Assert.Throws<PeerAnswerRejectedException>(() => bindings.Check(named, X, [named, B])).Reason);
        r.Reopen();
        new SiteBindings(r.Store).Check(A, Y, Peers);
    }
}
