using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Engine;
using K8sReplication.Sidecar.Serve;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Streams;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Hosting;

/// <summary>
/// Drains on shutdown. The host calls <see cref="StoppingAsync"/> before it stops any service (the web server
/// included), so until it returns the listeners, the change feed and the loops keep running. It waits, up to <c>drainTimeout</c>, until some
/// peer has confirmed holding every change this member made (<see cref="DeliveryTracker"/>), so a member scaled away
/// does not leave writes on a volume nobody reads; if the time runs out it says how many changes only this member
/// holds. With no peer configured there is nobody to wait for. With the Redis transport it waits until this member's
/// stream holds every change instead.
/// </summary>
internal sealed partial class DrainService(
    StoreAccess replica,
    LiveConfig config,
    DeliveryTracker delivery,
    DrainState state,
    TimeProvider time,
    ILogger<DrainService> logger,
    StreamPublisher? publisher = null) : IHostedLifecycleService
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMilliseconds(100);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!replica.TryGet(out var store))
            {
                return;
            }

            state.Begin();
            var settings = config.Current;
            var started = time.GetTimestamp();
            while (true)
            {
                // With the Redis transport a change is delivered once it is in this member's stream: every peer reads
                // it from there, whether this member runs or not.
                var left = store.CountLocalAfter(publisher?.Published ?? delivery.DeliveredSeq);
                state.Counted(left);
                var elapsed = time.GetElapsedTime(started);
                if (left == 0)
                {
                    LogDrained(logger, (long)elapsed.TotalMilliseconds);
                    return;
                }

                if (settings.Peers.Count == 0 || elapsed >= settings.DrainTimeout || cancellationToken.IsCancellationRequested)
                {
                    LogUndelivered(logger, left, settings.Peers.Count == 0 ? "no peer is configured" : $"drainTimeout ({Contracts.Config.Durations.Format(settings.DrainTimeout)}) ran out");
                    return;
                }

                await Task.Delay(CheckInterval, time, cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SqliteException)
        {
            LogDrainAborted(logger, e.Message);
        }
        finally
        {
            state.Finish();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Drained: a peer holds every local change (waited {WaitedMs} ms)")]
    private static partial void LogDrained(ILogger logger, long waitedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Exiting with {Changes} local changes no peer has fetched: {Reason}; they stay on this member's volume until it runs again")]
    private static partial void LogUndelivered(ILogger logger, long changes, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drain aborted: {Error}")]
    private static partial void LogDrainAborted(ILogger logger, string error);
}
