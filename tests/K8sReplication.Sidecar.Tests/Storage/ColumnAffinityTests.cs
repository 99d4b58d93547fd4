using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Tests.Storage;

public sealed class ColumnAffinityTests
{
    [Theory]
    [InlineData("INTEGER", "Integer")]
    [InlineData("bigint", "Integer")]
    [InlineData("VARCHAR(40)", "Text")]
    [InlineData("TEXT", "Text")]
    [InlineData("CLOB", "Text")]
    [InlineData("", "Blob")]
    [InlineData("BLOB", "Blob")]
    [InlineData("DOUBLE PRECISION", "Real")]
    [InlineData("FLOAT", "Real")]
    [InlineData("DECIMAL(10,5)", "Numeric")]
    [InlineData("BOOLEAN", "Numeric")]
    [InlineData("POINT", "Integer")] // "POINT" contains "INT", so SQLite gives it integer affinity
    public void FromDeclaredType_FollowsSqliteRules(string declared, string expected)
    {
        Assert.Equal(Enum.Parse<ColumnAffinity>(expected), ColumnAffinities.FromDeclaredType(declared));
    }

    public static TheoryData<string, object, bool> Values() => new()
    {
        { "Text", "5", true },
        { "Text", 5L, false },
        { "Text", 1.5, false },
        { "Text", new byte[] { 1 }, true },
        { "Integer", 5L, true },
        { "Integer", 1.0, false },
        { "Integer", 1.5, true },
        { "Integer", "12", false },
        { "Integer", " -1.5e3 ", false },
        { "Integer", "abc", true },
        { "Integer", "0x10", true },
        { "Numeric", 2.0, false },
        { "Real", 5L, false },
        { "Real", 5.5, true },
        { "Real", "5.5", false },
        { "Blob", 5L, true },
        { "Blob", "5", true },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Keeps_MatchesWhatSqliteStoresUnchanged(string affinity, object value, bool kept)
    {
        Assert.Equal(kept, Enum.Parse<ColumnAffinity>(affinity).Keeps(value));
    }

    [Fact]
    public void Keeps_AgreesWithSqliteItself()
    {
        // Ground truth: store each value in a column of each affinity and ask SQLite for its storage class.
        using var db = new TestKit.Sqlite.TempDatabase();
        using var connection = db.OpenConnection();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE t(i INTEGER, x TEXT, n NUMERIC, r REAL, b BLOB)";
            create.ExecuteNonQuery();
        }

        object[] samples = [5L, -3L, 1.0, 1.5, 1e300, "5", " 7 ", "1e3", "abc", "0x10", "", new byte[] { 1, 2 }];
        (string Column, ColumnAffinity Affinity)[] columns =
            [("i", ColumnAffinity.Integer), ("x", ColumnAffinity.Text), ("n", ColumnAffinity.Numeric), ("r", ColumnAffinity.Real), ("b", ColumnAffinity.Blob)];
        foreach (var (column, affinity) in columns)
        {
            foreach (var sample in samples)
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"DELETE FROM t; INSERT INTO t({column}) VALUES (@v); SELECT typeof({column}) FROM t";
                command.Parameters.AddWithValue("@v", sample);
                var stored = (string)command.ExecuteScalar()!;
                var original = sample switch { long => "integer", double => "real", string => "text", _ => "blob" };
                Assert.True(affinity.Keeps(sample) == (stored == original), $"{affinity} column, {original} {sample}: SQLite stored {stored}");
            }
        }
    }
}
