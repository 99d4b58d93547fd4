namespace K8sReplication.KubectlPlugin.Cli;

/// <summary>How a command prints its result (<c>-o</c>).</summary>
internal enum OutputFormat
{
    Table,
    Json,
    Yaml,
}
