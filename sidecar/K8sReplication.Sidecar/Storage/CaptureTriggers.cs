using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// SQL of the capture triggers. They only append (table id, key values, HLC, deleted) to __repl_log, in the app's own
/// transaction, and compute the HLC from reads only; they do nothing while the sidecar applies (applying
/// flag). Only SQL available since SQLite 3.24 is used, because the app may link an older SQLite than ours.
/// </summary>
internal static class CaptureTriggers
{
    public static IEnumerable<string> TriggerNames(long tableId) =>
    [
        $"__repl_ins_{tableId.ToString(CultureInfo.InvariantCulture)}",
        $"__repl_upd_{tableId.ToString(CultureInfo.InvariantCulture)}",
        $"__repl_del_{tableId.ToString(CultureInfo.InvariantCulture)}",
    ];

    /// <summary>Value of __repl_log.deleted for a check entry written by a replace guard (0 and 1: insert, delete).</summary>
    public const long CheckEntry = 2;

    /// <summary>Every replace-guard trigger of the table starts with this; the rest names its kind and SQL signature.</summary>
    public static string ReplaceGuardPrefix(long tableId) =>
        $"__repl_rg{tableId.ToString(CultureInfo.InvariantCulture)}_";

    /// <summary>
    /// Replace guards: BEFORE INSERT and BEFORE UPDATE OF triggers that log a check entry (deleted = 2) for every row
    /// sharing a unique index's values with the new row. INSERT OR REPLACE, UPDATE OR REPLACE and constraints declared
    /// ON CONFLICT REPLACE remove such rows without firing delete triggers (unless the app's connection enabled
    /// recursive_triggers), so without a guard the delete would never be captured and members would keep the row for
    /// ever. The fold turns a check entry into a delete only if the row is gone: an OR IGNORE that skipped the new row,
    /// or a plain conflict, leaves it in place (and a failing statement rolls its entries back). Indexes on
    /// expressions cannot be guarded (the install report warns). The trigger names end in a signature of their SQL,
    /// so install replaces them exactly when the table's unique indexes change.
    /// </summary>
    public static IReadOnlyList<(string Name, string Sql)> ReplaceGuards(long tableId, TableSchema schema)
    {
        var indexes = schema.UniqueIndexes.Where(i => !i.OnExpression && i.Columns.Count > 0).ToList();
        if (indexes.Count == 0)
        {
            return [];
        }

        var id = tableId.ToString(CultureInfo.InvariantCulture);
        var table = SqlIdentifier.Quote(schema.Name);
        var keys = schema.PrimaryKeyColumns.Select(c => SqlIdentifier.Quote(schema.Columns[c])).ToArray();
        var logColumns = "tbl, hlc, deleted, " + string.Join(", ", keys.Select((_, i) => $"k{i + 1}"));
        const string row = "__repl_r";
        var rowKeys = string.Join(", ", keys.Select(k => $"{row}.{k}"));
        var check = CheckEntry.ToString(CultureInfo.InvariantCulture);
        string Conflicts(UniqueIndex index) => string.Join(" AND ", index.Columns.Select(c =>
            $"{row}.{SqlIdentifier.Quote(c.Column)} = NEW.{SqlIdentifier.Quote(c.Column)} COLLATE {SqlIdentifier.Quote(c.Collation)}"));
        string LogChecks(UniqueIndex index, string extra) =>
            $"INSERT INTO __repl_log({logColumns}) SELECT {id}, {HybridClock.NextHlcSql}, {check}, {rowKeys} FROM {table} AS {row} WHERE {Conflicts(index)}{extra}; ";
        const string when = "WHEN (SELECT applying FROM __repl_state WHERE id = 0) = 0";

        // An UPDATE cannot conflict with the row it updates: that row is excluded by its old key.
        var notSelf = " AND NOT (" + string.Join(" AND ", keys.Select(k => $"{row}.{k} IS OLD.{k}")) + ")";
        var updatedColumns = string.Join(", ", indexes.SelectMany(i => i.Columns.Select(c => c.Column))
            .Distinct(StringComparer.OrdinalIgnoreCase).Select(SqlIdentifier.Quote));
        var insertBody = $"BEFORE INSERT ON {table} {when} BEGIN {string.Concat(indexes.Select(i => LogChecks(i, "")))}END";
        var updateBody = $"BEFORE UPDATE OF {updatedColumns} ON {table} {when} BEGIN {string.Concat(indexes.Select(i => LogChecks(i, notSelf)))}END";
        var signature = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(insertBody + "\n" + updateBody)).AsSpan(0, 6));
        var prefix = ReplaceGuardPrefix(tableId);
        return
        [
            ($"{prefix}ins_{signature}", $"CREATE TRIGGER {prefix}ins_{signature} {insertBody}"),
            ($"{prefix}upd_{signature}", $"CREATE TRIGGER {prefix}upd_{signature} {updateBody}"),
        ];
    }

    public static IReadOnlyList<string> CreateStatements(long tableId, TableSchema schema)
    {
        var id = tableId.ToString(CultureInfo.InvariantCulture);
        var table = SqlIdentifier.Quote(schema.Name);
        var keys = schema.PrimaryKeyColumns.Select(c => SqlIdentifier.Quote(schema.Columns[c])).ToArray();
        var logColumns = "tbl, hlc, deleted, " + string.Join(", ", keys.Select((_, i) => $"k{i + 1}"));
        string Values(string row) => string.Join(", ", keys.Select(k => $"{row}.{k}"));
        const string when = "WHEN (SELECT applying FROM __repl_state WHERE id = 0) = 0";

        // A key part changed when its value or its storage class changed; COLLATE BINARY so a NOCASE key changing
        // only in case still counts (the key bytes differ).
        var keyChanged = string.Join(" OR ", keys.Select(k =>
            $"OLD.{k} IS NOT NEW.{k} COLLATE BINARY OR typeof(OLD.{k}) <> typeof(NEW.{k})"));

        var insert = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"CREATE TRIGGER IF NOT EXISTS __repl_ins_{id} AFTER INSERT ON {table} {when} BEGIN ")
            .Append(CultureInfo.InvariantCulture, $"INSERT INTO __repl_log({logColumns}) VALUES ({id}, {HybridClock.NextHlcSql}, 0, {Values("NEW")}); ")
            .Append("END").ToString();
        var update = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"CREATE TRIGGER IF NOT EXISTS __repl_upd_{id} AFTER UPDATE ON {table} {when} BEGIN ")
            .Append(CultureInfo.InvariantCulture, $"INSERT INTO __repl_log({logColumns}) SELECT {id}, {HybridClock.NextHlcSql}, 1, {Values("OLD")} WHERE {keyChanged}; ")
            .Append(CultureInfo.InvariantCulture, $"INSERT INTO __repl_log({logColumns}) VALUES ({id}, {HybridClock.NextHlcSql}, 0, {Values("NEW")}); ")
            .Append("END").ToString();
        var delete = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"CREATE TRIGGER IF NOT EXISTS __repl_del_{id} AFTER DELETE ON {table} {when} BEGIN ")
            .Append(CultureInfo.InvariantCulture, $"INSERT INTO __repl_log({logColumns}) VALUES ({id}, {HybridClock.NextHlcSql}, 1, {Values("OLD")}); ")
            .Append("END").ToString();
        return [insert, update, delete];
    }
}
