using K8sReplication.Observability.Metrics;
using Prometheus;

namespace K8sReplication.Sidecar.Metrics;

/// <summary>
/// One peer's series of the per-peer counters. The children are cached here, so the tailer, the applier and the
/// anti-entropy loop record with a lock-free lookup instead of resolving label values on every call.
/// </summary>
internal sealed class PeerMetrics
{
    private readonly ChildCache<string, Counter.Child> _skipped;
    private readonly ChildCache<(string Endpoint, string Outcome), Counter.Child> _requests;
    private readonly ChildCache<string, Counter.Child> _answerBytes;
    private readonly ChildCache<string, Counter.Child> _rejected;
    private readonly ChildCache<string, Counter.Child> _antiEntropyRounds;

    /// <summary>The counters' label names are those <see cref="SidecarMetrics"/> declares; <c>peer</c> is filled in here.</summary>
    public PeerMetrics(string peer, Counter applied, Counter skipped, Counter requests, Counter answerBytes, Counter rejected, Counter antiEntropyRounds)
    {
        ChangesApplied = applied.WithLabels(peer);
        _skipped = new(reason => skipped.WithLabels(peer, reason));
        _requests = new(key => requests.WithLabels(key.Endpoint, key.Outcome, peer));
        _answerBytes = new(endpoint => answerBytes.WithLabels(endpoint, peer));
        _rejected = new(reason => rejected.WithLabels(peer, reason));
        _antiEntropyRounds = new(result => antiEntropyRounds.WithLabels(peer, result));
    }

    public Counter.Child ChangesApplied { get; }

    public Counter.Child ChangesSkipped(string reason) => _skipped[reason];

    public Counter.Child Requests(string endpoint, string outcome) => _requests[(endpoint, outcome)];

    public Counter.Child AnswerBytes(string endpoint) => _answerBytes[endpoint];

    public Counter.Child BatchesRejected(string reason) => _rejected[reason];

    public Counter.Child AntiEntropyRounds(string result) => _antiEntropyRounds[result];
}
