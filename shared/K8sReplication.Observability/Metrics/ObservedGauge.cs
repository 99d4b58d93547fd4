using Prometheus;

namespace K8sReplication.Observability.Metrics;

/// <summary>
/// A labelled gauge whose series are read from state before each collection: every refresh sets the series the state
/// reports and removes the ones it no longer reports (a peer removed from the configuration, a mesh deleted), so a
/// scrape shows exactly the current state.
/// </summary>
public sealed class ObservedGauge(Gauge gauge)
{
    private readonly HashSet<string> _reported = new(StringComparer.Ordinal);

    /// <summary>Sets the gauge to <paramref name="samples"/>. Callers serialise refreshes (collections may run concurrently).</summary>
    public void Refresh(IEnumerable<GaugeSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        _reported.Clear();
        foreach (var sample in samples)
        {
            gauge.WithLabels(sample.LabelValues).Set(sample.Value);
            _reported.Add(Key(sample.LabelValues));
        }

        foreach (var labelValues in gauge.GetAllLabelValues().ToList())
        {
            if (!_reported.Contains(Key(labelValues)))
            {
                gauge.RemoveLabelled(labelValues);
            }
        }
    }

    // Label values may contain any character but NUL is never part of a name we export.
    private static string Key(string[] labelValues) => string.Join('\0', labelValues);
}
