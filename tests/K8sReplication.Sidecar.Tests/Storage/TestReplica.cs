using K8sReplication.Sidecar.Storage;
using K8sReplication.TestKit.Sqlite;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Tests.Storage;

/// <summary>A replica under test: a temp database, the app's own connection and a ReplicaStore over the same file.</summary>
internal sealed class TestReplica : IDisposable
{
    public const string DefaultSchema = """
        CREATE TABLE kv(k TEXT PRIMARY KEY, v);
        CREATE TABLE pairs(a INTEGER NOT NULL, b BLOB NOT NULL, v, w REAL, PRIMARY KEY (a, b)) WITHOUT ROWID;
        CREATE TABLE anykey(k PRIMARY KEY, v);
        CREATE TABLE items(id INTEGER PRIMARY KEY, v);
        """;

    private readonly int merkleDepth;
    private readonly TimeProvider? timeProvider;

    public TestReplica(string schema = DefaultSchema, int merkleDepth = 2, TimeProvider? timeProvider = null)
    {
        Database = new TempDatabase();
        this.merkleDepth = merkleDepth;
        this.timeProvider = timeProvider;
        App = Database.OpenConnection();
        if (schema.Length > 0)
        {
            App.Execute(schema);
        }

        Store = OpenStore();
    }

    public TempDatabase Database { get; }

    public SqliteConnection App { get; }

    public ReplicaStore Store { get; private set; }

    public int MaxBatchSize { get; init; } = ReplicaStoreOptions.DefaultMaxBatchSize;

    /// <summary>See <see cref="ReplicaStoreOptions.ForcedKeyIdBits"/>; applies from the next <see cref="Reopen"/>.</summary>
    public int? ForcedKeyIdBits { get; set; }

    public ReplicaStore OpenStore() => ReplicaStore.Open(new ReplicaStoreOptions
    {
        DatabasePath = Database.FilePath,
        MerkleDepth = merkleDepth,
        TimeProvider = timeProvider ?? TimeProvider.System,
        MaxBatchSize = MaxBatchSize,
        ForcedKeyIdBits = ForcedKeyIdBits,
    });

    /// <summary>Simulates a sidecar restart: the old store is disposed, a new one opened on the same file.</summary>
    public void Reopen()
    {
        Store.Dispose();
        Store = OpenStore();
    }

    public void Exec(string sql, params (string Name, object? Value)[] parameters) => App.Execute(sql, parameters);

    /// <summary>Every row of a table in primary-key order, as exact values.</summary>
    public List<object?[]> Rows(string table) => App.Rows($"SELECT * FROM \"{table}\" ORDER BY 1, 2");

    public void Dispose()
    {
        Store.Dispose();
        App.Dispose();
        Database.Dispose();
    }
}
