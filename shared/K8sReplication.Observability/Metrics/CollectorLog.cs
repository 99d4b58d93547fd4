using Microsoft.Extensions.Logging;

namespace K8sReplication.Observability.Metrics;

internal static partial class CollectorLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Metric instrument {Instrument} of meter {Meter} is not exported: {Reason}")]
    public static partial void InstrumentConflict(ILogger logger, string instrument, string meter, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "An observable instrument callback failed during a metrics scrape")]
    public static partial void ObservableCallbackFailed(ILogger logger, Exception exception);
}
