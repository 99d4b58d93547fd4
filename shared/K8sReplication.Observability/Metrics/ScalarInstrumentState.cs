using System.Diagnostics.Metrics;

namespace K8sReplication.Observability.Metrics;

/// <summary>Counter and gauge instruments (synchronous and observable).</summary>
internal sealed class ScalarInstrumentState : InstrumentState
{
    private readonly SeriesTable<ScalarSeries> _series;
    private readonly ScalarRecording _recording;
    private readonly bool _monotonic;
    private int _generation;

    public ScalarInstrumentState(Instrument instrument, MetricFamily family, ScalarRecording recording, int maxSeries)
        : base(instrument, family)
    {
        _recording = recording;
        _monotonic = family.Type == MetricType.Counter;
        _series = new SeriesTable<ScalarSeries>(static labels => new ScalarSeries(labels), maxSeries);
    }

    public override long DroppedMeasurements => _series.Dropped;

    /// <summary>Whether two instruments' values for the same labels add up (deltas) or the later one wins.</summary>
    public bool MergesByAdding => _recording == ScalarRecording.Add || _monotonic;

    public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        // A NaN delta would poison the series for good, and a Prometheus counter never goes down
        // (a negative delta would corrupt rate()). A gauge may legitimately be set to NaN.
        if (_recording == ScalarRecording.Add && (double.IsNaN(value) || (_monotonic && value < 0)))
        {
            return;
        }

        var series = _series.GetOrAdd(tags);
        if (series is null)
        {
            return;
        }

        switch (_recording)
        {
            case ScalarRecording.Add:
                series.Add(value);
                break;
            case ScalarRecording.Set:
                series.Set(value, 0);
                break;
            default:
                series.Set(value, Volatile.Read(ref _generation));
                break;
        }
    }

    public override void BeginScrape(int generation) => Volatile.Write(ref _generation, generation);

    public override void EndScrape(int generation)
    {
        if (_recording == ScalarRecording.Observe)
        {
            _series.RemoveWhere(series => series.Generation != generation);
        }
    }

    /// <summary>Adds this instrument's series to a family-wide map keyed by rendered labels.</summary>
    public void Collect(Dictionary<string, double> into)
    {
        foreach (var series in _series.Snapshot())
        {
            var key = series.Labels.Rendered;
            var value = series.Value;
            if (MergesByAdding && into.TryGetValue(key, out var existing))
            {
                into[key] = existing + value;
            }
            else
            {
                into[key] = value;
            }
        }
    }
}
