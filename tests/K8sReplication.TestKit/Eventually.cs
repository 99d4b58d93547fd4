using System.Diagnostics;

namespace K8sReplication.TestKit;

/// <summary>Polls a condition with a deadline instead of sleeping; failures say what was awaited.</summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, string because)
    {
        var watch = Stopwatch.StartNew();
        Exception? last = null;
        while (true)
        {
            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (Exception e)
            {
                last = e;
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#}s waiting for: {because}" + (last is null ? "" : $" (last error: {last.Message})"), last);
            }

            await Task.Delay(PollInterval);
        }
    }

    public static async Task<T> ValueAsync<T>(Func<Task<T>> probe, Func<T, bool> accept, TimeSpan timeout, string because)
    {
        var watch = Stopwatch.StartNew();
        Exception? last = null;
        var hasValue = false;
        T value = default!;
        while (true)
        {
            try
            {
                value = await probe();
                hasValue = true;
                if (accept(value))
                {
                    return value;
                }
            }
            catch (Exception e)
            {
                last = e;
            }

            if (watch.Elapsed > timeout)
            {
                var detail = last is not null ? $" (last error: {last.Message})" : hasValue ? $" (last value: {value})" : "";
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#}s waiting for: {because}{detail}", last);
            }

            await Task.Delay(PollInterval);
        }
    }
}
