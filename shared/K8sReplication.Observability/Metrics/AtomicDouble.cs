namespace K8sReplication.Observability.Metrics;

/// <summary>Lock-free add on a double field.</summary>
internal static class AtomicDouble
{
    public static void Add(ref double target, double delta)
    {
        var current = Volatile.Read(ref target);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref target, current + delta, current);

            // Compare bits, not values: CompareExchange swaps on identical bits, and 0.0 == -0.0 as values.
            if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current))
            {
                return;
            }

            current = seen;
        }
    }
}
