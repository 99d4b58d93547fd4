using K8sReplication.Kube.Client;
using K8sReplication.Kube.Tests.Support;
using K8sReplication.TestKit.Time;

namespace K8sReplication.Kube.Tests.Client;

public sealed class BearerTokenProviderTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task TokenFile_IsReReadAfterTheRefreshInterval()
    {
        var time = new ManualTimeProvider();
        var file = _dir.Write("token", "one\n");
        var tokens = new BearerTokenProvider(null, file, TimeSpan.FromMinutes(1), time);
        Assert.Equal("one", await tokens.GetAsync(CancellationToken.None));

        File.WriteAllText(file, "two");
        Assert.Equal("one", await tokens.GetAsync(CancellationToken.None)); // cached within the interval
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("two", await tokens.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Invalidate_ForcesAReRead()
    {
        var file = _dir.Write("token", "one");
        var tokens = new BearerTokenProvider(null, file, TimeSpan.FromHours(1), new ManualTimeProvider());
        await tokens.GetAsync(CancellationToken.None);
        File.WriteAllText(file, "two");
        tokens.Invalidate();
        Assert.Equal("two", await tokens.GetAsync(CancellationToken.None));
    }

    [Fact]
    public async Task FileBrieflyMissing_KeepsTheLastGoodToken_ButNeverHavingOneFails()
    {
        var time = new ManualTimeProvider();
        var file = _dir.Write("token", "one");
        var tokens = new BearerTokenProvider(null, file, TimeSpan.FromSeconds(1), time);
        await tokens.GetAsync(CancellationToken.None);
        File.Delete(file);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("one", await tokens.GetAsync(CancellationToken.None));

        var fresh = new BearerTokenProvider(null, file, TimeSpan.FromSeconds(1), time);
        var ex = await Assert.ThrowsAsync<KubeApiException>(() => fresh.GetAsync(CancellationToken.None).AsTask());
        Assert.Contains(file, ex.Message);
    }

    [Fact]
    public async Task StaticToken_IsUsedAsIs()
    {
        var tokens = new BearerTokenProvider(" abc ", null, TimeSpan.FromMinutes(1), TimeProvider.System);
        Assert.False(tokens.CanRefresh);
        Assert.Equal("abc", await tokens.GetAsync(CancellationToken.None));
    }
}
