namespace K8sReplication.Sidecar.Serve;

/// <summary>
/// Encodes a feed page once for every tailer that asks for it. In a full mesh every peer tails this member's own
/// changes (the same origin) and they all wake on the same commit, so their requests name the same page: the first
/// reads and encodes it, the others await that work (single flight) or take the bytes later.
/// <para>
/// Tailers catching up on a burst drift apart (each asks for its next page when its own apply is done), so a binary
/// page is kept for <see cref="FramedMaxAge"/>: a tailer that asks for it later gets the same page (the same end, the
/// same newest seq), takes the same decisions as the first, and asks for the same next page, so the tailers stay on
/// one sequence of pages and one encoding serves them all. Its content is what a read at that moment gave, as if the
/// tailer had read then (a later change to one of its rows comes with a later seq), as long as the history it was
/// read from was only added to since (<see cref="FeedAnswerKey.HistoryEpoch"/>); its clock readings and horizon are
/// written fresh for every response. An answer with more changes than a request's limit does not serve it, and a
/// request with a smaller limit encodes its own page. A JSON answer carries its clock readings in the body and is
/// served for at most <see cref="MaxAge"/>, to the same limit only. Empty pages are not kept (a long poll waits for
/// the next commit instead). Kept answers are bounded by count and bytes.
/// </para>
/// </summary>
internal sealed class FeedAnswerCache(TimeProvider time)
{
    /// <summary>How long a JSON answer is served.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a binary answer is served, counted from when its encoding ended.</summary>
    public static readonly TimeSpan FramedMaxAge = TimeSpan.FromSeconds(5);

    /// <summary>Answers kept at most.</summary>
    public const int Capacity = 64;

    /// <summary>
    /// Bytes of finished answers kept at most (a few pages of each tailer's byte budget), counted by the buffers they
    /// hold: an encoding's buffer grows by doubling, so it can be up to twice its body.
    /// </summary>
    public const long CapacityBytes = 16L << 20;

    private readonly Lock _gate = new();
    private readonly Dictionary<FeedAnswerKey, List<Entry>> _answers = [];
    private long _bytes;

    /// <summary>Requests served by another request's encoding.</summary>
    public long Hits { get; private set; }

    /// <summary>Requests that encoded their own answer.</summary>
    public long Misses { get; private set; }

    public async Task<FeedAnswer> GetOrEncodeAsync(FeedAnswerKey key, int limit, Func<FeedAnswer> encode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        Entry entry;
        var created = false;
        lock (_gate)
        {
            var now = time.GetTimestamp();
            var found = Find(key, limit, now);
            if (found is not null)
            {
                Hits++;
                entry = found;
            }
            else
            {
                Misses++;
                Evict(now);
                entry = new Entry(new Task<FeedAnswer>(encode), limit);
                if (!_answers.TryGetValue(key, out var list))
                {
                    _answers[key] = list = [];
                }

                list.Add(entry);
                created = true;
            }
        }

        if (created)
        {
            // Encoded on this request's thread; concurrent requests for the same page await it.
            entry.Answer.RunSynchronously();
        }

        FeedAnswer result;
        try
        {
            result = await entry.Answer;
        }
        catch when (created)
        {
            Forget(key, entry);
            throw;
        }

        if (created)
        {
            if (result.Changes == 0)
            {
                Forget(key, entry);
                return result;
            }

            lock (_gate)
            {
                entry.Done = time.GetTimestamp();
                _bytes += Footprint(result.Body);
            }

            return result;
        }

        if (result.Changes == 0)
        {
            // Someone else's read, begun before this request took its wake-up signal, found nothing: a commit between
            // that read and the signal would be missed, so this request reads for itself before it waits.
            return encode();
        }

        // Joined while the encoding ran at a limit at most this request's; or taken finished, checked in Find.
        return result;
    }

    private Entry? Find(FeedAnswerKey key, int limit, long now)
    {
        if (!_answers.TryGetValue(key, out var list))
        {
            return null;
        }

        // In flight, a page holds at most its own limit's changes; a binary one serves any limit that many changes fit.
        return list.FirstOrDefault(entry => entry.Done is not { } done
            ? (key.Format > 0 ? entry.Limit <= limit : entry.Limit == limit)
            : !Stale(key, done, now) && (key.Format > 0 ? entry.Answer.Result.Changes <= limit : entry.Limit == limit));
    }

    private bool Stale(FeedAnswerKey key, long done, long now) => time.GetElapsedTime(done, now) > (key.Format > 0 ? FramedMaxAge : MaxAge);

    private void Forget(FeedAnswerKey key, Entry entry)
    {
        lock (_gate)
        {
            Remove(key, entry);
        }
    }

    private void Remove(FeedAnswerKey key, Entry entry)
    {
        if (!_answers.TryGetValue(key, out var list) || !list.Remove(entry))
        {
            return;
        }

        if (entry.Done is not null)
        {
            _bytes -= Footprint(entry.Answer.Result.Body);
        }

        if (list.Count == 0)
        {
            _answers.Remove(key);
        }
    }

    /// <summary>The memory an answer's body keeps alive: the whole array it is a slice of.</summary>
    private static long Footprint(ReadOnlyMemory<byte> body) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(body, out var segment) ? segment.Array!.Length : body.Length;

    private void Evict(long now)
    {
        // Stale answers go at every miss, so memory is held only by answers young enough to be served; then the oldest
        // finished ones while over a bound. Answers being encoded stay: requests are waiting for them.
        var finished = _answers.SelectMany(p => p.Value.Where(e => e.Done is not null).Select(e => (p.Key, Entry: e))).ToList();
        foreach (var (key, entry) in finished.Where(f => Stale(f.Key, f.Entry.Done!.Value, now)))
        {
            Remove(key, entry);
        }

        foreach (var (key, entry) in finished.OrderBy(f => f.Entry.Done))
        {
            if (_answers.Values.Sum(l => l.Count) < Capacity && _bytes <= CapacityBytes)
            {
                break;
            }

            Remove(key, entry);
        }
    }

    private sealed class Entry(Task<FeedAnswer> answer, int limit)
    {
        public Task<FeedAnswer> Answer { get; } = answer;

        /// <summary>The limit the page was read with.</summary>
        public int Limit { get; } = limit;

        /// <summary>When the encoding ended with a page worth keeping; null while it runs.</summary>
        public long? Done { get; set; }
    }
}
