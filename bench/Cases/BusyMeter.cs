using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// Replaces a connection's busy handler with one that waits exactly like SQLite's own (the schedule of
/// <c>sqlite3_busy_timeout</c>: 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms, then 100 ms until the timeout) and
/// counts how often and how long the app waited for a lock some other connection (the sidecar) held.
/// </summary>
internal sealed class BusyMeter
{
    private static readonly int[] Delays = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];
    private static readonly int[] Totals = [0, 1, 3, 8, 18, 33, 53, 78, 103, 128, 178, 228];
    private readonly int _timeoutMs;
    private readonly BusyCallback _handler; // kept alive as long as the connection uses it

    private BusyMeter(int timeoutMs)
    {
        _timeoutMs = timeoutMs;
        _handler = (_, count) => Wait(count);
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int BusyCallback(IntPtr state, int count);

    /// <summary>Times the handler was called (each call is one wait).</summary>
    public long Waits { get; private set; }

    /// <summary>Milliseconds the app slept in the handler.</summary>
    public double WaitedMs { get; private set; }

    public static BusyMeter Attach(SqliteConnection c, int timeoutMs = 30_000)
    {
        var meter = new BusyMeter(timeoutMs);
        var rc = SetBusyHandler(c.Handle!.DangerousGetHandle(), Marshal.GetFunctionPointerForDelegate(meter._handler), IntPtr.Zero);
        if (rc != 0)
        {
            throw new InvalidOperationException($"sqlite3_busy_handler failed: {rc}");
        }

        return meter;
    }

    [DllImport("e_sqlite3", EntryPoint = "sqlite3_busy_handler")]
    private static extern int SetBusyHandler(IntPtr db, IntPtr callback, IntPtr state);

    private int Wait(int count)
    {
        int delay, prior;
        if (count < Delays.Length)
        {
            delay = Delays[count];
            prior = Totals[count];
        }
        else
        {
            delay = Delays[^1];
            prior = Totals[^1] + (delay * (count - (Delays.Length - 1)));
        }

        if (prior + delay > _timeoutMs)
        {
            delay = _timeoutMs - prior;
            if (delay <= 0)
            {
                return 0;
            }
        }

        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        Thread.Sleep(delay);
        WaitedMs += System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        Waits++;
        return 1;
    }
}
