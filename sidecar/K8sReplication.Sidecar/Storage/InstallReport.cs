namespace K8sReplication.Sidecar.Storage;

/// <summary>Result of installing capture on the database.</summary>
/// <param name="Tables">Tables that are replicated (triggers installed).</param>
/// <param name="Errors">Tables refused, e.g. "table 'x' has no primary key".</param>
internal sealed record InstallReport(IReadOnlyList<TableInfo> Tables, IReadOnlyList<string> Errors)
{
    /// <summary>Non-fatal findings, e.g. integer keys that collide between writers.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
