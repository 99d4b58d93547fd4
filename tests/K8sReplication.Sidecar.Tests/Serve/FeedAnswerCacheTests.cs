using K8sReplication.Sidecar.Serve;
using K8sReplication.TestKit.Time;

namespace K8sReplication.Sidecar.Tests.Serve;

/// <summary>One encoding serves every tailer asking for the same page: binary pages for seconds, JSON ones while fresh.</summary>
public sealed class FeedAnswerCacheTests
{
    private static readonly FeedAnswerKey Binary = new(2, 10, null, 1 << 20);
    private static readonly FeedAnswerKey Json = Binary with { Format = 0 };

    private static FeedAnswer Page(int changes, int bytes = 3) => new(new byte[bytes], "x", changes, 10 + changes) { FramedVersion = 2, MaxSeq = 100 };

    [Fact]
    public async Task ABinaryPage_IsEncodedOnce_ForTailersAskingSecondsApart_ThenAgain()
    {
        var time = new ManualTimeProvider();
        var cache = new FeedAnswerCache(time);
        var encodings = 0;
        FeedAnswer Encode()
        {
            encodings++;
            return Page(3);
        }

        var first = await cache.GetOrEncodeAsync(Binary, 1000, Encode);
        time.Advance(TimeSpan.FromSeconds(2)); // a tailer that applies more slowly asks for the same page later
        var second = await cache.GetOrEncodeAsync(Binary, 1000, Encode);
        Assert.Equal(1, encodings);
        Assert.Same(first, second);

        _ = await cache.GetOrEncodeAsync(Binary with { After = 11 }, 1000, Encode);
        Assert.Equal(2, encodings);

        time.Advance(FeedAnswerCache.FramedMaxAge);
        _ = await cache.GetOrEncodeAsync(Binary, 1000, Encode);
        Assert.Equal(3, encodings);
        Assert.Equal((1, 3), (cache.Hits, cache.Misses));
    }

    [Fact]
    public async Task APage_ServesLargerLimits_NeverASmallerOneThanItsChanges()
    {
        var cache = new FeedAnswerCache(new ManualTimeProvider());
        var encodings = 0;
        var kept = await cache.GetOrEncodeAsync(Binary, 1000, () => { encodings++; return Page(800); });

        // A tailer that grew its limit takes the same page (and asks for more next); the page ends where the first
        // tailer's did, so both go on from the same cursor.
        Assert.Same(kept, await cache.GetOrEncodeAsync(Binary, 4000, () => { encodings++; return Page(4000); }));

        // A limit below the page's changes gets a page of its own.
        var own = await cache.GetOrEncodeAsync(Binary, 500, () => { encodings++; return Page(500); });
        Assert.Equal(500, own.Changes);
        Assert.Equal(2, encodings);
    }

    [Fact]
    public async Task AJsonPage_CarriesItsClockInTheBody_AndServesTheSameLimitWhileFresh()
    {
        var time = new ManualTimeProvider();
        var cache = new FeedAnswerCache(time);
        var encodings = 0;
        FeedAnswer Encode()
        {
            encodings++;
            return new FeedAnswer(new byte[] { 1, 2, 3 }, "application/json", 3, 13);
        }

        _ = await cache.GetOrEncodeAsync(Json, 1000, Encode);
        _ = await cache.GetOrEncodeAsync(Json, 1000, Encode);
        Assert.Equal(1, encodings);
        _ = await cache.GetOrEncodeAsync(Json, 2000, Encode);
        Assert.Equal(2, encodings);

        time.Advance(FeedAnswerCache.MaxAge + TimeSpan.FromMilliseconds(1));
        _ = await cache.GetOrEncodeAsync(Json, 1000, Encode);
        Assert.Equal(3, encodings);
    }

    [Fact]
    public async Task KeptBytes_AreBounded_OldestGoFirst()
    {
        var time = new ManualTimeProvider();
        var cache = new FeedAnswerCache(time);
        var pageBytes = (int)(FeedAnswerCache.CapacityBytes / 4);
        await Keep(cache, time, 6, () => Page(5, pageBytes));

        Assert.Equal(1, await Encodings(cache, 0, 5)); // cursor 0's page evicted, cursor 5's kept
    }

    [Fact]
    public async Task KeptBytes_CountTheBuffersThePagesHold_NotOnlyTheirBodies()
    {
        var time = new ManualTimeProvider();
        var cache = new FeedAnswerCache(time);
        // Bodies of a quarter of the bound, each a slice of a buffer twice as long (an encoding's grown buffer).
        var bodyBytes = (int)(FeedAnswerCache.CapacityBytes / 4);
        FeedAnswer Sliced() => new(new byte[bodyBytes * 2].AsMemory(0, bodyBytes), "x", 5, 15) { FramedVersion = 2, MaxSeq = 100 };
        await Keep(cache, time, 3, Sliced);

        // 1.5 × the bound held: the oldest goes at the next miss though the bodies alone (0.75 ×) are within it.
        _ = await cache.GetOrEncodeAsync(Binary with { After = 9 }, 1000, () => Page(5));
        Assert.Equal(1, await Encodings(cache, 0, 2));
    }

    /// <summary>Caches one page from <paramref name="encode"/> at each cursor 0 … <paramref name="pages"/> − 1, 10 ms apart.</summary>
    private static async Task Keep(FeedAnswerCache cache, ManualTimeProvider time, int pages, Func<FeedAnswer> encode)
    {
        for (var i = 0; i < pages; i++)
        {
            _ = await cache.GetOrEncodeAsync(Binary with { After = i }, 1000, encode);
            time.Advance(TimeSpan.FromMilliseconds(10));
        }
    }

    /// <summary>Asks for the binary page at each of <paramref name="cursors"/>; how many had to be encoded (not kept).</summary>
    private static async Task<int> Encodings(FeedAnswerCache cache, params long[] cursors)
    {
        var encodings = 0;
        foreach (var after in cursors)
        {
            _ = await cache.GetOrEncodeAsync(Binary with { After = after }, 1000, () => { encodings++; return Page(5); });
        }

        return encodings;
    }

    [Fact]
    public async Task EmptyPagesAndFailures_AreNotKept()
    {
        var cache = new FeedAnswerCache(new ManualTimeProvider());
        var encodings = 0;
        _ = await cache.GetOrEncodeAsync(Binary, 1000, () => { encodings++; return Page(0); });
        _ = await cache.GetOrEncodeAsync(Binary, 1000, () => { encodings++; return Page(0); });
        Assert.Equal(2, encodings);

        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetOrEncodeAsync(Binary, 1000, () => throw new InvalidOperationException("disk")));
        var answer = await cache.GetOrEncodeAsync(Binary, 1000, () => Page(1));
        Assert.Equal(1, answer.Changes);
    }

    [Fact]
    public async Task JoiningAnEmptyRead_ReadsAgain_SoACommitBeforeTheWaitIsNotMissed()
    {
        var cache = new FeedAnswerCache(new ManualTimeProvider());
        using var firstReading = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var first = Task.Run(() => cache.GetOrEncodeAsync(Binary, 1000, () =>
        {
            firstReading.Set();
            release.Wait(TimeSpan.FromSeconds(10));
            return Page(0); // read before the commit: nothing yet
        }));
        Assert.True(firstReading.Wait(TimeSpan.FromSeconds(10)));

        // A second reader (after the commit) joins the read in flight; its own read would see the commit.
        var second = Task.Run(() => cache.GetOrEncodeAsync(Binary, 1000, () => Page(1)));
        await TestKit.Eventually.TrueAsync(() => cache.Hits > 0 || second.IsCompleted, TimeSpan.FromSeconds(10), "the second reader joins");
        release.Set();

        Assert.Equal(0, (await first).Changes);
        Assert.Equal(1, (await second).Changes);
    }
}
