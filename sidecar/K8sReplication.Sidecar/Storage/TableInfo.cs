namespace K8sReplication.Sidecar.Storage;

/// <summary>A replicated table as installed: columns in cid order, primary key in PK order, schema hash.</summary>
internal sealed record TableInfo(string Name, IReadOnlyList<string> Columns, IReadOnlyList<string> PrimaryKey, string SchemaHash);
