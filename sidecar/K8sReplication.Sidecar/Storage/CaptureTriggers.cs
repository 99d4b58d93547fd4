using System.Globalization;
using System.Text;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// SQL of the capture triggers. They only append (table id, key values, HLC, deleted) to __repl_log, in the app's own
/// transaction, and compute the HLC from reads only (design 3.1); they do nothing while the sidecar applies (applying
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
