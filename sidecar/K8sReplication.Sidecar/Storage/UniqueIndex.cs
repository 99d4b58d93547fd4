namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// A unique index (or UNIQUE constraint) other than the primary key: its key columns with their collations, or
/// <see cref="OnExpression"/> when a key part is an expression (no columns are listed then).
/// </summary>
internal sealed record UniqueIndex(string Name, IReadOnlyList<(string Column, string Collation)> Columns, bool OnExpression);
