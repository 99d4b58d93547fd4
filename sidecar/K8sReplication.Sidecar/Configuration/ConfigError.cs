namespace K8sReplication.Sidecar.Configuration;

/// <summary>
/// One problem in a configuration source, naming the key at fault (<c>peers[1].url</c>, <c>--listen</c>). Keys can
/// come from the input (an unknown member's name), and messages quote it, so both are cleaned here, once, for every
/// place that shows them (error bodies, logs, the start-up error on stderr).
/// </summary>
internal sealed record ConfigError(string Key, string Message)
{
    public string Key { get; } = InputQuote.Clean(Key, InputQuote.MaxQuotedChars);

    public string Message { get; } = InputQuote.Clean(Message, InputQuote.MaxMessageChars / 4);

    public override string ToString() => $"{Key}: {Message}";
}
