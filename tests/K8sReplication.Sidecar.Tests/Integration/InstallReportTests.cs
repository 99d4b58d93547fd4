using K8sReplication.TestKit;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>Install problems of tables the app creates while the sidecar runs reach /v1/status, and leave it when fixed.</summary>
public sealed class InstallReportTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(40); // the schema is re-checked every 10 s

    [Fact]
    public async Task TableCreatedLaterWithoutPrimaryKey_IsReportedInStatus_UntilItIsDropped()
    {
        await using var mesh = await TestMesh.StartAsync(1);
        var node = mesh[0];
        Assert.DoesNotContain((await node.StatusAsync()).Errors, e => e.Contains("late_nopk", StringComparison.Ordinal));

        node.Exec("CREATE TABLE late_nopk(a, b)");
        var status = await Eventually.ValueAsync(node.StatusAsync,
            s => s.Errors.Any(e => e.Contains("'late_nopk'", StringComparison.Ordinal)), Patience, "the new table's problem reported");
        Assert.Contains(status.Errors, e => e.Contains("'late_nopk' has no primary key", StringComparison.Ordinal));

        node.Exec("DROP TABLE late_nopk");
        await Eventually.ValueAsync(node.StatusAsync,
            s => !s.Errors.Any(e => e.Contains("late_nopk", StringComparison.Ordinal)), Patience, "the problem gone once the table is dropped");
    }
}
