using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace K8sReplication.Observability.Metrics;

/// <summary>
/// Listens to the configured <see cref="Meter"/>s through a <see cref="MeterListener"/>, keeps the
/// state of every series in memory and renders it as Prometheus text format 0.0.4 on
/// <see cref="Scrape"/>. Recording is lock-free; scrapes are serialised with each other.
/// </summary>
public sealed partial class PrometheusMetricsCollector : IDisposable
{
    /// <summary>The content type of a scrape response.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Counts measurements dropped because an instrument reached its series cap, by family.</summary>
    public const string DroppedMeasurementsMetricName = "metrics_exporter_dropped_measurements_total";

    private readonly MeterListener _listener;
    private readonly ILogger _logger;
    private readonly HashSet<string> _meterNames;
    private readonly string[] _meterPrefixes;
    private readonly object? _meterScope;
    private readonly int _maxSeries;
    private readonly double[] _defaultBuckets;
    private readonly Lock _registryLock = new();
    private readonly Lock _scrapeLock = new();
    private readonly Dictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly List<string> _conflicts = [];
    private int _generation;

    /// <summary>Starts listening at once; instruments created before and after are both seen.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public PrometheusMetricsCollector(PrometheusExporterOptions options, ILogger<PrometheusMetricsCollector>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid Prometheus exporter options: " + string.Join(" ", errors), nameof(options));
        }

        _logger = logger ?? (ILogger)NullLogger.Instance;
        _meterNames = new HashSet<string>(options.MeterNames, StringComparer.Ordinal);
        _meterPrefixes = [.. options.MeterNamePrefixes];
        _meterScope = options.MeterScope;
        _maxSeries = options.MaxSeriesPerInstrument;
        _defaultBuckets = [.. options.DefaultHistogramBuckets];

        _listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
            MeasurementsCompleted = OnMeasurementsCompleted,
        };
        _listener.SetMeasurementEventCallback<byte>(static (_, m, tags, state) => ((InstrumentState)state!).Record(m, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, m, tags, state) => ((InstrumentState)state!).Record(m, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, m, tags, state) => ((InstrumentState)state!).Record(m, tags));
        _listener.SetMeasurementEventCallback<long>(static (_, m, tags, state) => ((InstrumentState)state!).Record(m, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, m, tags, state) => ((InstrumentState)state!).Record(m, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, m, tags, state) => ((InstrumentState)state!).Record(m, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, m, tags, state) => ((InstrumentState)state!).Record((double)m, tags));
        _listener.Start();
    }

    /// <summary>Instruments refused because their name clashed with an incompatible family (also logged).</summary>
    public IReadOnlyList<string> Conflicts
    {
        get
        {
            lock (_registryLock)
            {
                return [.. _conflicts];
            }
        }
    }

    /// <summary>Polls observable instruments and renders every family, sorted by name.</summary>
    public string Scrape()
    {
        lock (_scrapeLock)
        {
            var generation = ++_generation;
            var families = SnapshotFamilies();
            foreach (var (_, states) in families)
            {
                foreach (var state in states)
                {
                    state.BeginScrape(generation);
                }
            }

            try
            {
                _listener.RecordObservableInstruments();
            }
            catch (AggregateException ex)
            {
                // One failing callback must not cost the whole scrape; the others have reported already.
                CollectorLog.ObservableCallbackFailed(_logger, ex);
            }

            foreach (var (_, states) in families)
            {
                foreach (var state in states)
                {
                    state.EndScrape(generation);
                }
            }

            return Render(families);
        }
    }

    /// <summary>Stops listening; later scrapes return nothing for the instruments it held.</summary>
    public void Dispose() => _listener.Dispose();

    private List<(MetricFamily Family, InstrumentState[] States)> SnapshotFamilies()
    {
        lock (_registryLock)
        {
            var list = new List<(MetricFamily, InstrumentState[])>(_families.Count);
            foreach (var family in _families.Values)
            {
                list.Add((family, family.Instruments.ToArray()));
            }

            return list;
        }
    }

    private static string Render(List<(MetricFamily Family, InstrumentState[] States)> families)
    {
        var dropped = new Dictionary<string, double>(StringComparer.Ordinal);
        var ordered = families.Select(f => (f.Family.Name, f.Family, f.States)).ToList();
        ordered.Add((DroppedMeasurementsMetricName, null!, []));
        ordered.Sort(static (x, y) => string.CompareOrdinal(x.Name, y.Name));

        // Dropped counts are gathered first because their family may sort before the families they count.
        foreach (var (_, family, states) in ordered)
        {
            var total = family is null ? 0 : states.Sum(s => s.DroppedMeasurements);
            if (total > 0)
            {
                dropped["metric=\"" + PrometheusText.EscapeLabelValue(family!.Name) + "\""] = total;
            }
        }

        var sb = new StringBuilder(4096);
        foreach (var (name, family, states) in ordered)
        {
            if (family is null)
            {
                PrometheusTextWriter.WriteScalarFamily(sb, name, MetricType.Counter,
                    "Measurements dropped because an instrument reached its cap on distinct label sets.", dropped);
            }
            else if (family.Type == MetricType.Histogram)
            {
                var series = new Dictionary<string, HistogramSample>(StringComparer.Ordinal);
                foreach (var state in states)
                {
                    ((HistogramInstrumentState)state).Collect(series);
                }

                PrometheusTextWriter.WriteHistogramFamily(sb, name, family.Help, family.Bounds, series);
            }
            else
            {
                var series = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var state in states)
                {
                    ((ScalarInstrumentState)state).Collect(series);
                }

                PrometheusTextWriter.WriteScalarFamily(sb, name, family.Type, family.Help, series);
            }
        }

        return sb.ToString();
    }
}
