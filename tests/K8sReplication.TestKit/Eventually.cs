namespace K8sReplication.TestKit;

/// <summary>Polls a condition with a deadline: how tests wait for asynchronous outcomes without sleeping blindly.</summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, string because)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#}s waiting for: {because}");
            }

            await Task.Delay(Interval);
        }
    }

    public static async Task<T> ValueAsync<T>(Func<Task<T>> probe, Func<T, bool> accept, TimeSpan timeout, string because)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(accept);
        var deadline = DateTime.UtcNow + timeout;
        T last;
        while (true)
        {
            last = await probe();
            if (accept(last))
            {
                return last;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#}s waiting for: {because} (last value: {last})");
            }

            await Task.Delay(Interval);
        }
    }
}
