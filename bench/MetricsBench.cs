using System.Diagnostics;
using System.Globalization;
using K8sReplication.Sidecar.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace K8sReplication.Bench;

/// <summary>
/// Recording cost of the sidecar's metrics on its hot paths, in nanoseconds per call sequence: what the batch
/// applier records per applied batch (batch duration, changes applied for the peer, one skip reason) and what a
/// peer client records per request (request outcome, answer bytes). The exporter is live (a scrape runs first), as
/// in the sidecar.
/// </summary>
internal static class MetricsBench
{
    public static int Run(int iterations, int reps)
    {
        var services = new ServiceCollection().AddLogging();
        MetricsEndpoint.AddServices(services);
        services.AddSingleton<SidecarMetrics>();
        using var provider = services.BuildServiceProvider();
        var registry = provider.GetRequiredService<CollectorRegistry>();
        var metrics = provider.GetRequiredService<SidecarMetrics>();

        // As BatchApplier.Apply records one batch.
        void Batch(int i)
        {
            metrics.BatchDuration.Observe(0.002 + (i & 7) * 0.001);
            var peer = metrics.ForPeer("pod-1");
            peer.ChangesApplied.Inc(400);
            peer.ChangesSkipped("older").Inc(3);
        }

        // As PeerClient records one answered request (it holds its peer's PeerMetrics).
        var client = metrics.ForPeer("pod-1");
        void Request(int i)
        {
            client.Requests("changes", "success").Inc();
            client.AnswerBytes("changes").Inc(4096 + i);
        }

        Batch(0);
        Request(0);
        registry.CollectAndExportAsTextAsync(Stream.Null).GetAwaiter().GetResult();
        return Report(iterations, reps, ("batch", Batch), ("request", Request));
    }

    /// <summary>Median (min–max) nanoseconds per call of each sequence over <paramref name="reps"/> timed runs, after a warm-up.</summary>
    private static int Report(int iterations, int reps, params (string Name, Action<int> Record)[] cases)
    {
        foreach (var (name, record) in cases)
        {
            for (var i = 0; i < iterations; i++)
            {
                record(i);
            }

            var samples = new double[reps];
            for (var rep = 0; rep < reps; rep++)
            {
                var started = Stopwatch.GetTimestamp();
                for (var i = 0; i < iterations; i++)
                {
                    record(i);
                }

                samples[rep] = Stopwatch.GetElapsedTime(started).TotalNanoseconds / iterations;
            }

            Array.Sort(samples);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {samples[reps / 2]:0.0} ns per call ({samples[0]:0.0}–{samples[^1]:0.0}), {iterations:N0} calls × {reps}"));
        }

        return 0;
    }
}
