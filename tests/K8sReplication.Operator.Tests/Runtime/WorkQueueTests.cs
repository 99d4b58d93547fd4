using K8sReplication.Operator.Runtime;
using K8sReplication.TestKit.Time;

namespace K8sReplication.Operator.Tests.Runtime;

public sealed class WorkQueueTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Add_SameKeyTwiceBeforeGet_IsDeliveredOnce()
    {
        using var queue = new WorkQueue(new ManualTimeProvider());
        queue.Add("ns/a");
        queue.Add("ns/a");
        queue.Add("ns/b");

        Assert.Equal(2, queue.Depth);
        Assert.Equal("ns/a", await queue.GetAsync(CancellationToken.None));
        Assert.Equal("ns/b", await queue.GetAsync(CancellationToken.None));
        Assert.Equal(0, queue.Depth);
    }

    [Fact]
    public async Task Add_WhileKeyIsProcessing_IsHeldUntilDoneThenRequeued()
    {
        using var queue = new WorkQueue(new ManualTimeProvider());
        queue.Add("ns/a");
        var key = await queue.GetAsync(CancellationToken.None);

        queue.Add("ns/a");

        Assert.Equal(0, queue.Depth);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await queue.GetAsync(cts.Token));
        queue.Done(key!);
        Assert.Equal(1, queue.Depth);
        Assert.Equal("ns/a", await queue.GetAsync(new CancellationTokenSource(Deadline).Token));
    }

    [Fact]
    public async Task AddAfter_FiresWhenTimeAdvances_EarliestRequestWins()
    {
        var time = new ManualTimeProvider();
        using var queue = new WorkQueue(time);

        queue.AddAfter("ns/a", TimeSpan.FromSeconds(30));
        queue.AddAfter("ns/a", TimeSpan.FromSeconds(60));
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, queue.Depth);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, queue.Depth);
        Assert.Equal("ns/a", await queue.GetAsync(CancellationToken.None));
        queue.Done("ns/a");
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(0, queue.Depth);
    }

    [Fact]
    public void AddRateLimited_BacksOffExponentially_ForgetResets()
    {
        var time = new ManualTimeProvider();
        using var queue = new WorkQueue(time, new ItemBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8)));

        queue.AddRateLimited("k");
        queue.AddRateLimited("k");
        Assert.Equal(2, queue.Failures("k"));
        time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(0, queue.Depth);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, queue.Depth);

        queue.Forget("k");
        Assert.Equal(0, queue.Failures("k"));
    }

    [Fact]
    public void ItemBackoff_IsCapped()
    {
        var backoff = new ItemBackoff(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1));

        var delays = Enumerable.Range(0, 20).Select(_ => backoff.Next("k")).ToList();

        Assert.Equal(TimeSpan.FromMilliseconds(5), delays[0]);
        Assert.Equal(TimeSpan.FromMilliseconds(10), delays[1]);
        Assert.Equal(TimeSpan.FromSeconds(1), delays[^1]);
    }

    [Fact]
    public async Task ShutDown_ReleasesWaitingWorkers()
    {
        using var queue = new WorkQueue(new ManualTimeProvider());
        var waiting = queue.GetAsync(CancellationToken.None).AsTask();

        queue.ShutDown();

        Assert.Null(await waiting.WaitAsync(Deadline));
    }

    [Fact]
    public async Task ManyWorkers_NeverProcessTheSameKeyConcurrently()
    {
        using var queue = new WorkQueue(TimeProvider.System);
        var inFlight = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var violations = 0;
        var processed = 0;
        using var cts = new CancellationTokenSource(Deadline);

        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (await queue.GetAsync(cts.Token) is { } key)
            {
                if (inFlight.AddOrUpdate(key, 1, (_, v) => v + 1) > 1)
                {
                    Interlocked.Increment(ref violations);
                }

                await Task.Yield();
                inFlight.AddOrUpdate(key, 0, (_, v) => v - 1);
                Interlocked.Increment(ref processed);
                queue.Done(key);
            }
        })).ToList();

        for (var i = 0; i < 2000; i++)
        {
            queue.Add("k" + (i % 5));
        }

        await TestKit.Eventually.TrueAsync(() => queue.Depth == 0 && Volatile.Read(ref processed) >= 5, Deadline, "queue drained");
        queue.ShutDown();
        await Task.WhenAll(workers).WaitAsync(Deadline);
        Assert.Equal(0, violations);
    }
}
