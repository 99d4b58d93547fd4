using System.Diagnostics.Metrics;

namespace K8sReplication.Observability.Metrics;

/// <summary>Which instruments are listened to and which family each one lands in.</summary>
public sealed partial class PrometheusMetricsCollector
{
    private bool IsListenedTo(Meter meter)
    {
        if (_meterScope is not null && meter.Scope is not null && !ReferenceEquals(meter.Scope, _meterScope))
        {
            return false;
        }

        if (_meterNames.Contains(meter.Name))
        {
            return true;
        }

        foreach (var prefix in _meterPrefixes)
        {
            if (meter.Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!IsListenedTo(instrument.Meter) || Classify(instrument) is not var (type, recording))
        {
            return;
        }

        var bounds = type == MetricType.Histogram ? HistogramBounds(instrument) ?? _defaultBuckets : [];
        var name = PrometheusNames.MetricName(instrument.Name, instrument.Unit, type);
        InstrumentState state;
        lock (_registryLock)
        {
            if (_families.TryGetValue(name, out var family))
            {
                if (!family.IsCompatibleWith(type, bounds))
                {
                    var reason = $"its Prometheus name {name} is already a {PrometheusTextWriter.TypeName(family.Type)} family"
                        + (family.Type == type ? " with other bucket bounds" : string.Empty);
                    _conflicts.Add($"{instrument.Meter.Name}/{instrument.Name}: {reason}");
                    CollectorLog.InstrumentConflict(_logger, instrument.Name, instrument.Meter.Name, reason);
                    return;
                }
            }
            else
            {
                var help = string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description;
                family = new MetricFamily(name, type, help, bounds);
                _families.Add(name, family);
            }

            state = type == MetricType.Histogram
                ? new HistogramInstrumentState(instrument, family, _maxSeries)
                : new ScalarInstrumentState(instrument, family, recording, _maxSeries);
            family.Instruments.Add(state);
        }

        listener.EnableMeasurementEvents(instrument, state);
    }

    private void OnMeasurementsCompleted(Instrument instrument, object? state)
    {
        if (state is not InstrumentState instrumentState)
        {
            return;
        }

        lock (_registryLock)
        {
            var family = instrumentState.Family;
            family.Instruments.Remove(instrumentState);
            if (family.Instruments.Count == 0 && _families.TryGetValue(family.Name, out var current) && ReferenceEquals(current, family))
            {
                _families.Remove(family.Name);
            }
        }
    }

    /// <summary>The family type and recording mode of the BCL instrument kinds; null for anything else.</summary>
    internal static (MetricType Type, ScalarRecording Recording)? Classify(Instrument instrument)
    {
        var kind = instrument.GetType();
        if (!kind.IsGenericType)
        {
            return null;
        }

        var definition = kind.GetGenericTypeDefinition();
        if (definition == typeof(Counter<>))
        {
            return (MetricType.Counter, ScalarRecording.Add);
        }

        if (definition == typeof(ObservableCounter<>))
        {
            return (MetricType.Counter, ScalarRecording.Observe);
        }

        if (definition == typeof(UpDownCounter<>))
        {
            return (MetricType.Gauge, ScalarRecording.Add);
        }

        if (definition == typeof(ObservableUpDownCounter<>) || definition == typeof(ObservableGauge<>))
        {
            return (MetricType.Gauge, ScalarRecording.Observe);
        }

        if (definition == typeof(Gauge<>))
        {
            return (MetricType.Gauge, ScalarRecording.Set);
        }

        if (definition == typeof(Histogram<>))
        {
            return (MetricType.Histogram, ScalarRecording.Add);
        }

        return null;
    }

    /// <summary>The instrument's advised bucket bounds, sorted, finite and distinct; null without advice.</summary>
    internal static double[]? HistogramBounds(Instrument instrument)
    {
        IEnumerable<double>? advised = instrument switch
        {
            Instrument<double> d => d.Advice?.HistogramBucketBoundaries,
            Instrument<float> f => f.Advice?.HistogramBucketBoundaries?.Select(static v => (double)v),
            Instrument<long> l => l.Advice?.HistogramBucketBoundaries?.Select(static v => (double)v),
            Instrument<int> i => i.Advice?.HistogramBucketBoundaries?.Select(static v => (double)v),
            Instrument<short> s => s.Advice?.HistogramBucketBoundaries?.Select(static v => (double)v),
            Instrument<byte> b => b.Advice?.HistogramBucketBoundaries?.Select(static v => (double)v),
            Instrument<decimal> m => m.Advice?.HistogramBucketBoundaries?.Select(static v => (double)v),
            _ => null,
        };

        return advised?.Where(double.IsFinite).Distinct().Order().ToArray();
    }
}
