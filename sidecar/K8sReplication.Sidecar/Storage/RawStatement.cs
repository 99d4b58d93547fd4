using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// A statement prepared once on the write connection and driven through SQLitePCLRaw directly, for the per-change hot
/// paths (fold, apply). ADO.NET's per-execution costs (binding parameters by name, a reader object per query, boxing
/// every column) dominated those paths; here parameters bind by position and columns are read typed. It runs inside
/// whatever transaction the connection has open. Callers must <see cref="Reset"/> after each use (done by
/// <see cref="Execute"/>) so no statement stays active at commit.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private readonly sqlite3 db;
    private readonly sqlite3_stmt statement;

    public RawStatement(SqliteConnection connection, string sql)
    {
        db = connection.Handle!;
        var rc = raw.sqlite3_prepare_v2(db, sql, out statement);
        if (rc != raw.SQLITE_OK)
        {
            statement.Dispose();
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }

    public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(statement, index, value));

    public void Bind(int index, ReadOnlySpan<byte> blob) => Check(raw.sqlite3_bind_blob(statement, index, blob));

    /// <summary>Binds <paramref name="values"/> to consecutive parameters from <paramref name="first"/> on (1-based).</summary>
    public void BindValues(IReadOnlyList<object?> values, int first = 1)
    {
        for (var i = 0; i < values.Count; i++)
        {
            BindValue(first + i, values[i]);
        }
    }

    /// <summary>Binds a storage-class value (null, long, double, string, byte[]) exactly.</summary>
    public void BindValue(int index, object? value) => Check(value switch
    {
        null => raw.sqlite3_bind_null(statement, index),
        long l => raw.sqlite3_bind_int64(statement, index, l),
        double d => raw.sqlite3_bind_double(statement, index, d),
        string s => raw.sqlite3_bind_text(statement, index, s),
        byte[] b => raw.sqlite3_bind_blob(statement, index, b),
        _ => throw new ArgumentException($"unsupported value type {value.GetType().Name}", nameof(value)),
    });

    /// <summary>Runs a statement that returns no rows, then resets it.</summary>
    public void Execute()
    {
        try
        {
            var rc = raw.sqlite3_step(statement);
            if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
            {
                SqliteException.ThrowExceptionForRC(rc, db);
            }
        }
        finally
        {
            raw.sqlite3_reset(statement);
        }
    }

    /// <summary>Steps to the next row; false at the end. Call <see cref="Reset"/> when done.</summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        if (rc != raw.SQLITE_DONE)
        {
            raw.sqlite3_reset(statement);
            SqliteException.ThrowExceptionForRC(rc, db);
        }

        return false;
    }

    public void Reset() => raw.sqlite3_reset(statement);

    /// <summary>Runs a one-value query and resets it: the first column of the first row, or 0 when there is none.</summary>
    public long ScalarInt64()
    {
        try
        {
            return Step() ? Int64(0) : 0;
        }
        finally
        {
            Reset();
        }
    }

    /// <summary>Rows the connection's last completed INSERT, UPDATE or DELETE changed.</summary>
    public int Changes() => raw.sqlite3_changes(db);

    /// <summary>Rowid of the last row the connection inserted.</summary>
    public long LastInsertRowId() => raw.sqlite3_last_insert_rowid(db);

    public long Int64(int column) => raw.sqlite3_column_int64(statement, column);

    public string Text(int column) => raw.sqlite3_column_text(statement, column).utf8_to_string();

    public ReadOnlySpan<byte> Blob(int column) => raw.sqlite3_column_blob(statement, column);

    /// <summary>The column as its storage class: null, long, double, string or byte[].</summary>
    public object? Value(int column) => raw.sqlite3_column_type(statement, column) switch
    {
        raw.SQLITE_NULL => null,
        raw.SQLITE_INTEGER => raw.sqlite3_column_int64(statement, column),
        raw.SQLITE_FLOAT => raw.sqlite3_column_double(statement, column),
        raw.SQLITE_TEXT => raw.sqlite3_column_text(statement, column).utf8_to_string(),
        _ => raw.sqlite3_column_blob(statement, column).ToArray(),
    };

    public void Dispose() => statement.Dispose();

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, db);
        }
    }
}
