namespace K8sReplication.Sidecar.Configuration;

/// <summary>One problem in a configuration source, naming the key at fault (<c>peers[1].url</c>, <c>--listen</c>).</summary>
internal sealed record ConfigError(string Key, string Message)
{
    public override string ToString() => $"{Key}: {Message}";
}
