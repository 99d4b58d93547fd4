using System.Diagnostics.Metrics;

namespace K8sReplication.Observability.Metrics;

/// <summary>What the collector keeps for one listened-to instrument: its series and how it records.</summary>
internal abstract class InstrumentState(Instrument instrument, MetricFamily family)
{
    public Instrument Instrument { get; } = instrument;

    public MetricFamily Family { get; } = family;

    public abstract long DroppedMeasurements { get; }

    /// <summary>Called from the recording thread; must be thread-safe and cheap.</summary>
    public abstract void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

    /// <summary>Before observable instruments are polled for scrape <paramref name="generation"/>.</summary>
    public virtual void BeginScrape(int generation)
    {
    }

    /// <summary>After polling: observable series not reported in this scrape are forgotten.</summary>
    public virtual void EndScrape(int generation)
    {
    }
}
