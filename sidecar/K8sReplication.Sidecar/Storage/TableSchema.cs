using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace K8sReplication.Sidecar.Storage;

/// <summary>What PRAGMA table_info says about one table, and the schema hash exchanged with peers.</summary>
internal sealed record TableSchema(string Name, IReadOnlyList<string> Columns, IReadOnlyList<int> PrimaryKeyColumns,
    bool IntegerKey, string Hash)
{
    /// <summary>
    /// UNIQUE constraints and unique indexes other than the primary key. Not part of <see cref="Hash"/> (which is what
    /// PRAGMA table_info says); they decide which rows an INSERT/UPDATE OR REPLACE may remove (see CaptureTriggers).
    /// </summary>
    public IReadOnlyList<UniqueIndex> UniqueIndexes { get; init; } = [];

    /// <summary>Each column's type affinity, in column order (decides which key values are stored unchanged).</summary>
    public IReadOnlyList<ColumnAffinity> Affinities { get; init; } = [];

    /// <summary>Reads the schema of <paramref name="table"/>; null when the table does not exist.</summary>
    public static TableSchema? Read(SqliteConnection connection, SqliteTransaction? transaction, string table)
    {
        var columns = new List<string>();
        var affinities = new List<ColumnAffinity>();
        var keyPositions = new List<(int Position, int Column)>();
        var canonical = new StringBuilder();
        string? firstKeyType = null;
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT cid, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(@t) ORDER BY cid";
            command.Parameters.AddWithValue("@t", table);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var name = reader.GetString(1);
                var type = reader.GetString(2);
                var pk = reader.GetInt32(5);
                // The hash covers everything that decides how a row is stored: order, name, declared type
                // (affinity), NOT NULL, default and primary-key position.
                canonical.Append(CultureInfo.InvariantCulture,
                    $"{reader.GetInt64(0)}\u001f{name}\u001f{type.ToUpperInvariant()}\u001f{reader.GetInt64(3)}\u001f{(reader.IsDBNull(4) ? "\u0000" : reader.GetString(4))}\u001f{pk}\u001e");
                if (pk > 0)
                {
                    keyPositions.Add((pk, columns.Count));
                    if (pk == 1)
                    {
                        firstKeyType = type;
                    }
                }

                columns.Add(name);
                affinities.Add(ColumnAffinities.FromDeclaredType(type));
            }
        }

        if (columns.Count == 0)
        {
            return null;
        }

        var keyColumns = keyPositions.OrderBy(k => k.Position).Select(k => k.Column).ToArray();
        var integerKey = keyColumns.Length == 1
            && string.Equals(firstKeyType, "INTEGER", StringComparison.OrdinalIgnoreCase)
            && !HasPrimaryKeyIndex(connection, transaction, table);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())).AsSpan(0, 16));
        return new TableSchema(table, columns, keyColumns, integerKey, hash)
        {
            UniqueIndexes = ReadUniqueIndexes(connection, transaction, table),
            Affinities = affinities,
        };
    }

    private static List<UniqueIndex> ReadUniqueIndexes(SqliteConnection connection, SqliteTransaction? transaction, string table)
    {
        var names = connection.QueryStrings(transaction,
            "SELECT name FROM pragma_index_list(@p) WHERE \"unique\" = 1 AND origin <> 'pk' ORDER BY name", table);
        var result = new List<UniqueIndex>();
        foreach (var name in names)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT cid, name, coll FROM pragma_index_xinfo(@i) WHERE key = 1 ORDER BY seqno";
            command.Parameters.AddWithValue("@i", name);
            var columns = new List<(string Column, string Collation)>();
            var onExpression = false;
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    if (reader.GetInt64(0) < 0 || reader.IsDBNull(1))
                    {
                        onExpression = true; // an expression (or the rowid): not a plain column
                        continue;
                    }

                    columns.Add((reader.GetString(1), reader.IsDBNull(2) ? "BINARY" : reader.GetString(2)));
                }
            }

            result.Add(new UniqueIndex(name, onExpression ? [] : columns, onExpression));
        }

        return result;
    }

    /// <summary>
    /// A single INTEGER primary key is a rowid alias (always an integer, stable across VACUUM) unless SQLite built a
    /// separate index for it (WITHOUT ROWID tables, "INTEGER PRIMARY KEY DESC").
    /// </summary>
    private static bool HasPrimaryKeyIndex(SqliteConnection connection, SqliteTransaction? transaction, string table)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT count(*) FROM pragma_index_list(@t) WHERE origin = 'pk'";
        command.Parameters.AddWithValue("@t", table);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }
}
