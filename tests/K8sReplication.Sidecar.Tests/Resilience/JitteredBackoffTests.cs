using K8sReplication.Sidecar.Resilience;

namespace K8sReplication.Sidecar.Tests.Resilience;

public sealed class JitteredBackoffTests
{
    [Fact]
    public void Delays_GrowExponentially_WithinHalfToFullCap_AndNeverExceedMax()
    {
        var backoff = new JitteredBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), new Random(42));
        var caps = new[] { 100, 200, 400, 800, 1600, 2000, 2000, 2000 };
        foreach (var cap in caps)
        {
            var delay = backoff.Next().TotalMilliseconds;
            Assert.InRange(delay, cap / 2.0, cap);
        }
    }

    [Fact]
    public void Reset_StartsFromTheInitialDelayAgain()
    {
        var backoff = new JitteredBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), new Random(1));
        for (var i = 0; i < 10; i++)
        {
            backoff.Next();
        }

        backoff.Reset();
        Assert.InRange(backoff.Next().TotalMilliseconds, 50, 100);
    }

    [Fact]
    public void Delays_AreJittered_NotLockStep()
    {
        var a = new JitteredBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), new Random(1));
        var b = new JitteredBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), new Random(2));
        var same = Enumerable.Range(0, 5).Count(_ => a.Next() == b.Next());
        Assert.True(same < 5);
    }
}
