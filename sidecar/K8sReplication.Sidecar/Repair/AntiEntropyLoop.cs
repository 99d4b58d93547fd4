using K8sReplication.Contracts.Health;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Metrics;
using K8sReplication.Sidecar.Pull;
using K8sReplication.Sidecar.Resilience;
using K8sReplication.Sidecar.Storage;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Repair;

/// <summary>
/// Runs anti-entropy rounds against one peer for ever: first probe soon after start, then every interval with
/// ±20 % jitter, or at once when a round is requested (<see cref="AntiEntropyTrigger"/>); skipped while the hot path is catching up from that peer, and
/// deferred (<see cref="MaxDeferredRounds"/> times in a row at most) while any peer's feed is delivering; failures back off (capped at the
/// interval). Each round has a budget and a deadline; results go to the peer's status and to metrics.
/// </summary>
internal sealed partial class AntiEntropyLoop(
    LiveConfig config,
    ReplicaStore store,
    BatchApplier applier,
    PeerClient client,
    SiteBindings bindings,
    SidecarMetrics metrics,
    AntiEntropyTrigger trigger,
    TimeProvider time,
    ILogger logger)
{
    private static readonly TimeSpan FirstProbe = TimeSpan.FromSeconds(1);

    /// <summary>A feed delivered changes this recently: a round now would find what is in flight.</summary>
    public static readonly TimeSpan FeedFlowingWindow = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Scheduled rounds in a row that wait for the peer's feed to go quiet; the next one runs whatever the feed does,
    /// so a peer that never stops writing is still compared (at the default interval, every five minutes at least).
    /// </summary>
    public const int MaxDeferredRounds = 10;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var interval = config.Current.AntiEntropyInterval;
        var delay = Jitter(interval < FirstProbe ? interval : FirstProbe);
        var backoff = new JitteredBackoff(TimeSpan.FromMilliseconds(500), interval);
        var wake = trigger.Wake;
        var deferred = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var requested = false;
            try
            {
                using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wake);
                await Task.Delay(delay, time, waiting.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A round was requested: run it now.
                requested = true;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            // Taken before the round, so a request made while it runs wakes the next wait at once.
            wake = trigger.Wake;

            var settings = config.Current;
            interval = settings.AntiEntropyInterval;
            var peer = client.Peer;
            var probe = false;
            // While changes are arriving by the feeds (this peer's or any other's), the trees differ by those in
            // flight: a round would read and compare the differing leaves on both members and pull nothing new (the
            // writer's own versions are not even folded yet; two members receiving one writer's burst each pull what
            // the other has applied so far), at the cost of CPU the app's writes and the apply need. It waits, a
            // bounded number of times.
            var feedFlowing = !requested && deferred < MaxDeferredRounds && peer.DeliveredWithin(FeedFlowingWindow);
            if (settings.Paused || peer.CatchingUp || feedFlowing || !store.TryFoldAll() || !peer.Breaker.TryAcquire(out probe))
            {
                deferred = feedFlowing ? deferred + 1 : deferred;
                Record(new AntiEntropyResult { Result = feedFlowing ? "deferred" : "skipped", At = time.GetUtcNow() });
                delay = Jitter(interval);
                continue;
            }

            deferred = 0;
            var grant = probe ? peer.Breaker.ProbesGranted : 0;
            var round = new AntiEntropyRound(config, store, applier, client, bindings, time);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(settings.AntiEntropyTimeout);
            var started = time.GetTimestamp();
            AntiEntropyResult result;
            try
            {
                result = await round.RunAsync(settings.AntiEntropyBudget, deadline.Token);
                peer.RecordSuccess(PeerActivity.AntiEntropy);
                backoff.Reset();
                delay = Jitter(interval);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (RoundDeferredException)
            {
                peer.RecordSuccess(PeerActivity.AntiEntropy); // the peer answered; this member chose to wait
                result = new AntiEntropyResult { Result = "skipped", At = time.GetUtcNow(), RowsRepaired = round.RepairedSoFar, Bytes = round.BytesSoFar };
                delay = Jitter(interval);
            }
            catch (Exception e)
            {
                // Every failure ends this round only: it is recorded, counted, and the next round comes after a backoff.
                var timedOut = e is OperationCanceledException || (e is PeerUnavailableException && deadline.IsCancellationRequested);
                switch (e)
                {
                    case PeerAnswerRejectedException rejected:
                        client.CountRejected(rejected.Reason);
                        peer.RecordRejected(PeerActivity.AntiEntropy, "anti-entropy: " + rejected.Message);
                        break;
                    case ChangeRejectedException refused:
                        client.CountRejected(RejectReason.Invalid);
                        peer.RecordRejected(PeerActivity.AntiEntropy, "anti-entropy: " + refused.Message);
                        break;
                    case PeerUnavailableException:
                        peer.RecordFailure(PeerActivity.AntiEntropy, "anti-entropy: " + e.Message);
                        break;
                    case OperationCanceledException or SqliteException:
                        // Nothing said whether the peer works. A half-open probe still held (the peer never answered:
                        // its first answer settles the probe) must not stay taken, or every caller stays shut out:
                        // a round that timed out waiting for the peer counts as its failure, a local error gives the
                        // probe back untested.
                        if (peer.Breaker.IsProbeInFlight(grant))
                        {
                            if (e is SqliteException)
                            {
                                peer.Breaker.ReleaseProbe(grant);
                            }
                            else
                            {
                                peer.RecordFailure(PeerActivity.AntiEntropy, "anti-entropy: no answer before the round timed out");
                            }
                        }

                        break;
                    default:
                        peer.RecordFailure(PeerActivity.AntiEntropy, "anti-entropy: unexpected failure: " + e.Message);
                        LogUnexpected(logger, peer.Name, e);
                        break;
                }

                result = new AntiEntropyResult
                {
                    Result = timedOut && round.RepairedSoFar > 0 ? "partial" : "failed",
                    At = time.GetUtcNow(),
                    RowsRepaired = round.RepairedSoFar,
                    Bytes = round.BytesSoFar,
                    DurationSeconds = time.GetElapsedTime(started).TotalSeconds,
                    Error = timedOut ? "round timed out" : e.Message,
                };
                LogRoundFailed(logger, peer.Name, result.Error);
                delay = backoff.Next();
            }

            Record(result);
        }
    }

    private void Record(AntiEntropyResult result)
    {
        client.Peer.LastAntiEntropy = result;
        metrics.ForPeer(client.Peer.Name).AntiEntropyRounds(result.Result).Inc();
        if (result.RowsRepaired > 0)
        {
            metrics.AntiEntropyRowsRepaired.Inc(result.RowsRepaired);
        }

        if (result.Bytes > 0)
        {
            metrics.AntiEntropyBytes.Inc(result.Bytes);
        }

        if (result.RowsRepaired > 0)
        {
            LogRepaired(logger, client.Peer.Name, result.RowsRepaired, result.Bytes);
        }
    }

    private static TimeSpan Jitter(TimeSpan interval) => interval * (0.8 + (Random.Shared.NextDouble() * 0.4));

    [LoggerMessage(Level = LogLevel.Error, Message = "Anti-entropy with {Peer} failed unexpectedly; retrying after a backoff")]
    private static partial void LogUnexpected(ILogger logger, string peer, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Anti-entropy with {Peer} failed: {Error}")]
    private static partial void LogRoundFailed(ILogger logger, string peer, string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Anti-entropy with {Peer} repaired {Rows} rows ({Bytes} bytes)")]
    private static partial void LogRepaired(ILogger logger, string peer, long rows, long bytes);
}
