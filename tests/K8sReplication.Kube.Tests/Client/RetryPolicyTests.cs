using K8sReplication.Kube.Client;

namespace K8sReplication.Kube.Tests.Client;

public sealed class RetryPolicyTests
{
    [Fact]
    public void Delays_GrowExponentially_WithJitterInTheUpperHalf_AndAreCapped()
    {
        var policy = new RetryPolicy { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1) };
        var random = new Random(42);
        for (var i = 0; i < 200; i++)
        {
            for (var attempt = 0; attempt < 8; attempt++)
            {
                var ceiling = Math.Min(1000, 100 * Math.Pow(2, attempt));
                var delay = policy.DelayFor(attempt, random).TotalMilliseconds;
                Assert.InRange(delay, ceiling / 2, ceiling);
            }
        }
    }

    [Fact]
    public void Jitter_SpreadsDelays()
    {
        var policy = new RetryPolicy();
        var random = new Random(7);
        var distinct = Enumerable.Range(0, 50).Select(_ => policy.DelayFor(3, random)).Distinct().Count();
        Assert.True(distinct > 40, $"only {distinct} distinct delays");
    }

    [Fact]
    public void HugeAttemptNumbers_DoNotOverflow() =>
        Assert.InRange(new RetryPolicy().DelayFor(10_000), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10));
}
