namespace K8sReplication.Sidecar.Serve;

/// <summary>
/// Encodes a feed page once for every tailer that asks for it. In a full mesh every peer tails this member's own
/// changes (the same origin), and they all wake on the same commit, so their requests name the same page: the first
/// reads and encodes it, the others await that work (single flight) or take the bytes while they are fresh. An answer
/// is served for at most <see cref="MaxAge"/>: a reader may get a page that misses changes committed within that time,
/// which it then fetches next, and the answer's clock reading is that much old. Empty pages are not kept (a long poll
/// waits for the next commit instead).
/// </summary>
internal sealed class FeedAnswerCache(TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(100);

    /// <summary>Answers kept at most (each at most a batch's bytes).</summary>
    public const int Capacity = 32;

    private readonly Lock _gate = new();
    private readonly Dictionary<FeedAnswerKey, (Task<FeedAnswer> Answer, long Created)> _answers = [];

    public long Hits { get; private set; }

    public async Task<FeedAnswer> GetOrEncodeAsync(FeedAnswerKey key, Func<FeedAnswer> encode)
    {
        Task<FeedAnswer> answer;
        var created = false;
        lock (_gate)
        {
            var now = time.GetTimestamp();
            if (_answers.TryGetValue(key, out var entry) && time.GetElapsedTime(entry.Created, now) <= MaxAge)
            {
                Hits++;
                answer = entry.Answer;
            }
            else
            {
                Evict(now);
                answer = new Task<FeedAnswer>(encode);
                _answers[key] = (answer, now);
                created = true;
            }
        }

        if (created)
        {
            // Encoded on this request's thread; concurrent requests for the same page await it.
            answer.RunSynchronously();
        }

        FeedAnswer result;
        try
        {
            result = await answer;
        }
        catch when (created)
        {
            Forget(key, answer);
            throw;
        }

        if (result.Changes == 0)
        {
            if (created)
            {
                Forget(key, answer);
                return result;
            }

            // Someone else's read, begun before this request took its wake-up signal, found nothing: a commit between
            // that read and the signal would be missed, so this request reads for itself before it waits.
            return encode();
        }

        return result;
    }

    private void Forget(FeedAnswerKey key, Task<FeedAnswer> answer)
    {
        lock (_gate)
        {
            if (_answers.TryGetValue(key, out var entry) && entry.Answer == answer)
            {
                _answers.Remove(key);
            }
        }
    }

    private void Evict(long now)
    {
        // Stale answers go at every miss, so memory is held only by answers young enough to be served.
        foreach (var (key, entry) in _answers.Where(e => time.GetElapsedTime(e.Value.Created, now) > MaxAge).ToList())
        {
            _answers.Remove(key);
        }

        while (_answers.Count >= Capacity)
        {
            _answers.Remove(_answers.MinBy(e => e.Value.Created).Key);
        }
    }
}
