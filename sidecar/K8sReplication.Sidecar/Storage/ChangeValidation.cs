using System.Globalization;

namespace K8sReplication.Sidecar.Storage;

/// <summary>Checks remote changes against the local schema before anything is written.</summary>
internal static class ChangeValidation
{
    /// <summary>Checks one change against the local schema; throws naming the field at fault.</summary>
    public static ReplicaTable Validate(TableSet snapshot, Change? change, int index, out IReadOnlyList<object?> key)
    {
        // The field name is only formatted on failure: this runs once per applied change.
        string Field(string suffix = "") => string.Create(CultureInfo.InvariantCulture, $"changes[{index}]{suffix}");
        if (change is null)
        {
            throw new ChangeRejectedException(Field(), "missing change");
        }

        if (change.Table is null || !snapshot.ByName.TryGetValue(change.Table, out var table))
        {
            throw new ChangeRejectedException(Field(".table"), $"unknown or unreplicated table '{change.Table}'");
        }

        if (change.Version.Hlc <= 0)
        {
            throw new ChangeRejectedException(Field(".version.hlc"), $"must be positive, got {change.Version.Hlc}");
        }

        try
        {
            // Decode accepts canonical encodings only (KeyCodecTests: whatever it accepts re-encodes to the same bytes).
            key = KeyCodec.Decode(change.Key ?? throw new FormatException("key is missing"));
        }
        catch (FormatException ex)
        {
            throw new ChangeRejectedException(Field(".key"), ex.Message, ex);
        }

        if (key.Count != table.PrimaryKeyColumns.Count)
        {
            throw new ChangeRejectedException(Field(".key"),
                $"table '{table.Name}' has {table.PrimaryKeyColumns.Count} primary-key columns, the key has {key.Count} values");
        }

        for (var k = 0; k < key.Count; k++)
        {
            // NULL parts never match as a key (NULLs are distinct in a unique index, so rows would duplicate), and a
            // part SQLite would convert under the column's affinity would store a row its version entry does not name.
            var column = table.PrimaryKeyColumns[k];
            if (key[k] is null)
            {
                throw new ChangeRejectedException(Field(".key"), $"primary-key column '{table.Columns[column]}' of table '{table.Name}' is NULL");
            }

            if (table.Affinities.Count > column && !table.Affinities[column].Keeps(key[k], table.IntegerKey))
            {
                throw new ChangeRejectedException(Field(".key"),
                    $"primary-key column '{table.Columns[column]}' of table '{table.Name}' ({(table.IntegerKey ? "INTEGER PRIMARY KEY" : table.Affinities[column] + " affinity")}) cannot hold a {StorageClass(key[k])} key value unchanged");
            }
        }

        if (change.Version.Deleted)
        {
            return table;
        }

        if (change.Values is null || change.Values.Count != table.Columns.Count)
        {
            throw new ChangeRejectedException(Field(".values"),
                $"table '{table.Name}' has {table.Columns.Count} columns ({string.Join(", ", table.Columns)}), got {change.Values?.Count.ToString(CultureInfo.InvariantCulture) ?? "none"}");
        }

        for (var c = 0; c < change.Values.Count; c++)
        {
            var value = change.Values[c];
            if (!KeyCodec.IsStorageValue(value) || value is double d && double.IsNaN(d))
            {
                throw new ChangeRejectedException(Field(string.Create(CultureInfo.InvariantCulture, $".values[{c}]")),
                    $"column '{table.Columns[c]}' has a value of type {value!.GetType().Name}; only null, integer (long), real (double), text (string) and blob (byte[]) are allowed");
            }
        }

        for (var k = 0; k < key.Count; k++)
        {
            var column = table.PrimaryKeyColumns[k];
            if (!SameKeyValue(change.Values[column], key[k]))
            {
                throw new ChangeRejectedException(Field(string.Create(CultureInfo.InvariantCulture, $".values[{column}]")),
                    $"primary-key column '{table.Columns[column]}' does not match the key");
            }
        }

        return table;
    }

    private static string StorageClass(object? value) => value switch
    {
        long => "integer",
        double => "real",
        string => "text",
        byte[] => "blob",
        _ => "null",
    };

    /// <summary>True when two storage values encode to the same key bytes (same storage class and value; 0.0 = -0.0).</summary>
    private static bool SameKeyValue(object? value, object? keyValue) => (value, keyValue) switch
    {
        (null, null) => true,
        (long a, long b) => a == b,
        (double a, double b) => a == b,
        (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
        (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
        _ => false,
    };
}
