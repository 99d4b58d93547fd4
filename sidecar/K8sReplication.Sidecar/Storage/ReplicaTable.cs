using System.Text;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// A replicated table as the store uses it at run time: its local registry id (never leaves this database), its
/// columns and primary key, and whether its key is an INTEGER PRIMARY KEY (rowid alias; such keys collide between
/// writers, so installing warns about them).
/// </summary>
internal sealed class ReplicaTable
{
    public ReplicaTable(long id, string name, IReadOnlyList<string> columns, IReadOnlyList<int> primaryKeyColumns,
        bool integerKey, string schemaHash)
    {
        Id = id;
        Name = name;
        Columns = columns;
        PrimaryKeyColumns = primaryKeyColumns;
        IntegerKey = integerKey;
        SchemaHash = schemaHash;
        NameBytes = Encoding.UTF8.GetBytes(name);
        Info = new TableInfo(name, columns, primaryKeyColumns.Select(i => columns[i]).ToArray(), schemaHash);
        SelectRowSql = BuildSelectRowSql();
        DeleteRowSql = BuildDeleteRowSql();
        ExistsRowSql = $"SELECT 1 FROM {QuotedName} WHERE {KeyPredicate()}";
        UpsertRowSql = BuildUpsertRowSql();
    }

    /// <summary>The table as <paramref name="schema"/> describes it now, under its registry id and recorded hash.</summary>
    public static ReplicaTable FromSchema(long id, TableSchema schema, string schemaHash) =>
        new(id, schema.Name, schema.Columns, schema.PrimaryKeyColumns, schema.IntegerKey, schemaHash)
        {
            UniqueIndexes = schema.UniqueIndexes,
            Affinities = schema.Affinities,
        };

    /// <summary>SELECT of all columns by primary key (@k0..@kN); built once, the statement is prepared per connection.</summary>
    public string SelectRowSql { get; }

    public string DeleteRowSql { get; }

    /// <summary>SELECT 1 by primary key (@k0..@kN): whether the row is there.</summary>
    public string ExistsRowSql { get; }

    /// <summary>INSERT .. ON CONFLICT (pk) DO UPDATE of every non-key column from @v0..@vN.</summary>
    public string UpsertRowSql { get; }

    public long Id { get; }

    public string Name { get; }

    /// <summary>UTF-8 name, hashed into bucket and row digests (names, not local ids, identify tables across replicas).</summary>
    public byte[] NameBytes { get; }

    public IReadOnlyList<string> Columns { get; }

    /// <summary>Indexes into <see cref="Columns"/> of the primary-key columns, in primary-key order.</summary>
    public IReadOnlyList<int> PrimaryKeyColumns { get; }

    public bool IntegerKey { get; }

    public string SchemaHash { get; }

    /// <summary>Unique indexes besides the primary key (cross-member conflicts on them are resolved at apply).</summary>
    public IReadOnlyList<UniqueIndex> UniqueIndexes { get; init; } = [];

    /// <summary>Each column's type affinity, in column order (empty for tables built without a schema read).</summary>
    public IReadOnlyList<ColumnAffinity> Affinities { get; init; } = [];

    public TableInfo Info { get; }

    public string QuotedName => SqlIdentifier.Quote(Name);

    /// <summary>WHERE clause matching the primary key bound to @k0..@kN (IS so NULL key parts match exactly).</summary>
    public string KeyPredicate() => string.Join(" AND ",
        PrimaryKeyColumns.Select((c, i) => $"{SqlIdentifier.Quote(Columns[c])} IS @k{i}"));

    private string BuildSelectRowSql() =>
        $"SELECT {string.Join(", ", Columns.Select(SqlIdentifier.Quote))} FROM {QuotedName} WHERE {KeyPredicate()}";

    private string BuildDeleteRowSql() => $"DELETE FROM {QuotedName} WHERE {KeyPredicate()}";

    private string BuildUpsertRowSql()
    {
        var columns = string.Join(", ", Columns.Select(SqlIdentifier.Quote));
        var values = string.Join(", ", Columns.Select((_, i) => $"@v{i}"));
        var keyColumns = string.Join(", ", PrimaryKeyColumns.Select(c => SqlIdentifier.Quote(Columns[c])));
        var others = Enumerable.Range(0, Columns.Count).Where(i => !PrimaryKeyColumns.Contains(i))
            .Select(i => $"{SqlIdentifier.Quote(Columns[i])} = excluded.{SqlIdentifier.Quote(Columns[i])}").ToArray();
        var action = others.Length == 0 ? "NOTHING" : "UPDATE SET " + string.Join(", ", others);
        return $"INSERT INTO {QuotedName} ({columns}) VALUES ({values}) ON CONFLICT ({keyColumns}) DO {action}";
    }
}
