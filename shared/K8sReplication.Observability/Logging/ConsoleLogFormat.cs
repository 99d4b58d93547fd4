namespace K8sReplication.Observability.Logging;

/// <summary>How the console logger writes: one human-readable line, or one JSON object, per entry.</summary>
public enum ConsoleLogFormat
{
    /// <summary>Single-line text with a UTC timestamp: easy to read with <c>kubectl logs</c>.</summary>
    Simple,

    /// <summary>One JSON object per line with scopes and state: for log collectors.</summary>
    Json,
}
