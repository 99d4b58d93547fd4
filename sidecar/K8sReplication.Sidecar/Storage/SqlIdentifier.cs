namespace K8sReplication.Sidecar.Storage;

/// <summary>Quoting of SQL identifiers taken from the app's schema (table and column names are never trusted).</summary>
internal static class SqlIdentifier
{
    public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
