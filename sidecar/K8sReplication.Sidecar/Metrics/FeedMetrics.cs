using Prometheus;

namespace K8sReplication.Sidecar.Metrics;

/// <summary>
/// What this member's change feed serves its readers: answers per format and outcome, the changes in them, and the page
/// reads behind them (from the store, or a page another reader's request read: fan-out sharing). The children are
/// created once, so the feed endpoint records without resolving label values.
/// </summary>
internal sealed class FeedMetrics
{
    /// <summary>The <c>format</c> label of an answer in the binary feed format.</summary>
    public const string Frames = "frames";

    /// <summary>The <c>format</c> label of a JSON answer.</summary>
    public const string Json = "json";

    private readonly Counter.Child _framesWithChanges;
    private readonly Counter.Child _framesEmpty;
    private readonly Counter.Child _jsonWithChanges;
    private readonly Counter.Child _jsonEmpty;
    private readonly Counter.Child _framesServed;
    private readonly Counter.Child _jsonServed;
    private readonly Counter.Child _storeWithChanges;
    private readonly Counter.Child _storeEmpty;
    private readonly Counter.Child _cacheWithChanges;
    private readonly Counter.Child _cacheEmpty;

    /// <param name="answers">Labels <c>format</c>, <c>outcome</c>.</param>
    /// <param name="served">Label <c>format</c>.</param>
    /// <param name="reads">Labels <c>source</c>, <c>result</c>.</param>
    public FeedMetrics(Counter answers, Counter served, Counter reads)
    {
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(served);
        ArgumentNullException.ThrowIfNull(reads);
        _framesWithChanges = answers.WithLabels(Frames, "changes");
        _framesEmpty = answers.WithLabels(Frames, "empty");
        _jsonWithChanges = answers.WithLabels(Json, "changes");
        _jsonEmpty = answers.WithLabels(Json, "empty");
        _framesServed = served.WithLabels(Frames);
        _jsonServed = served.WithLabels(Json);
        _storeWithChanges = reads.WithLabels("store", "changes");
        _storeEmpty = reads.WithLabels("store", "empty");
        _cacheWithChanges = reads.WithLabels("cache", "changes");
        _cacheEmpty = reads.WithLabels("cache", "empty");
    }

    /// <summary>One page read while answering: encoded for this request, or shared from another's (<paramref name="shared"/>).</summary>
    public void Read(bool shared, int changes) =>
        (shared ? changes > 0 ? _cacheWithChanges : _cacheEmpty : changes > 0 ? _storeWithChanges : _storeEmpty).Inc();

    /// <summary>One answer sent with <paramref name="changes"/> changes, binary when <paramref name="binary"/>.</summary>
    public void Answered(bool binary, int changes)
    {
        (binary ? changes > 0 ? _framesWithChanges : _framesEmpty : changes > 0 ? _jsonWithChanges : _jsonEmpty).Inc();
        if (changes > 0)
        {
            (binary ? _framesServed : _jsonServed).Inc(changes);
        }
    }
}
