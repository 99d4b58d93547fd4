using K8sReplication.Sidecar.Serve;
using K8sReplication.TestKit.Time;

namespace K8sReplication.Sidecar.Tests.Serve;

/// <summary>One encoding serves every tailer asking for the same page while it is fresh.</summary>
public sealed class FeedAnswerCacheTests
{
    private static readonly FeedAnswerKey Key = new(2, 10, 1000, null, 1 << 20);

    [Fact]
    public async Task SamePage_IsEncodedOnce_WhileFresh_ThenAgain()
    {
        var time = new ManualTimeProvider();
        var cache = new FeedAnswerCache(time);
        var encodings = 0;
        FeedAnswer Encode()
        {
            encodings++;
            return new FeedAnswer(new byte[] { 1, 2, 3 }, "x", 3, 13);
        }

        var first = await cache.GetOrEncodeAsync(Key, Encode);
        var second = await cache.GetOrEncodeAsync(Key, Encode);
        Assert.Equal(1, encodings);
        Assert.Same(first, second);

        _ = await cache.GetOrEncodeAsync(Key with { After = 11 }, Encode);
        Assert.Equal(2, encodings);

        time.Advance(FeedAnswerCache.MaxAge + TimeSpan.FromMilliseconds(1));
        _ = await cache.GetOrEncodeAsync(Key, Encode);
        Assert.Equal(3, encodings);
    }

    [Fact]
    public async Task EmptyPagesAndFailures_AreNotKept()
    {
        var cache = new FeedAnswerCache(new ManualTimeProvider());
        var encodings = 0;
        _ = await cache.GetOrEncodeAsync(Key, () => { encodings++; return new FeedAnswer(Array.Empty<byte>(), "x", 0, 10); });
        _ = await cache.GetOrEncodeAsync(Key, () => { encodings++; return new FeedAnswer(Array.Empty<byte>(), "x", 0, 10); });
        Assert.Equal(2, encodings);

        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetOrEncodeAsync(Key, () => throw new InvalidOperationException("disk")));
        var answer = await cache.GetOrEncodeAsync(Key, () => new FeedAnswer(new byte[] { 1 }, "x", 1, 11));
        Assert.Equal(1, answer.Changes);
    }

    [Fact]
    public async Task JoiningAnEmptyRead_ReadsAgain_SoACommitBeforeTheWaitIsNotMissed()
    {
        var cache = new FeedAnswerCache(new ManualTimeProvider());
        using var firstReading = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = Task.Run(() => cache.GetOrEncodeAsync(Key, () =>
        {
            firstReading.Set();
            release.Wait(TimeSpan.FromSeconds(10));
            return new FeedAnswer(Array.Empty<byte>(), "x", 0, 10); // read before the commit: nothing yet
        }));
        Assert.True(firstReading.Wait(TimeSpan.FromSeconds(10)));

        // A second reader (after the commit) joins the read in flight; its own read would see the commit.
        var second = Task.Run(() => cache.GetOrEncodeAsync(Key, () => new FeedAnswer(new byte[] { 1 }, "x", 1, 11)));
        await TestKit.Eventually.TrueAsync(() => cache.Hits > 0 || second.IsCompleted, TimeSpan.FromSeconds(10), "the second reader joins");
        release.Set();

        Assert.Equal(0, (await first).Changes);
        Assert.Equal(1, (await second).Changes);
    }
}
