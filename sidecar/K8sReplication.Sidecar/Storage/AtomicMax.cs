namespace K8sReplication.Sidecar.Storage;

/// <summary>Raising a shared 64-bit value to a new maximum without a lock.</summary>
internal static class AtomicMax
{
    /// <summary>Sets <paramref name="location"/> to <paramref name="value"/> when that is greater (concurrent raises keep the greatest).</summary>
    public static void Raise(ref long location, long value)
    {
        var seen = Interlocked.Read(ref location);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref location, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }
}
