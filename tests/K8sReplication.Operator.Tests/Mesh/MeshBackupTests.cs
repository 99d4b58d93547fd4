using K8sReplication.Contracts.Mesh;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Tests.Mesh;

public sealed class MeshBackupTests
{
    [Theory]
    [InlineData("file:///data/backups", "file:///data/backups/apps/shop/")]
    [InlineData("file:///data/backups/", "file:///data/backups/apps/shop/")]
    [InlineData("file:///", "file:///apps/shop/")]
    [InlineData("s3://bucket", "s3://bucket/apps/shop/")]
    [InlineData("s3://bucket/", "s3://bucket/apps/shop/")]
    [InlineData("s3://bucket/some/prefix/", "s3://bucket/some/prefix/apps/shop/")]
    [InlineData("s3://bucket/some/prefix", "s3://bucket/some/prefix/apps/shop/")]
    public void ArchiveUrl_AppendsNamespaceAndMesh_WithExactlyOneSlash(string url, string expected) =>
        Assert.Equal(expected, MeshBackup.ArchiveUrl(url, "apps", "shop"));

    [Fact]
    public void Config_PassesTheSpecThrough_UnderTheMeshPrefix_WithoutCredentials()
    {
        var spec = new BackupSpec
        {
            Url = "s3://bucket/p",
            Endpoint = "http://minio:9000",
            Interval = "5s",
            SnapshotInterval = "1h",
            Retention = "48h",
            CredentialsSecretRef = new BackupCredentialsSecretReference { Name = "s3" },
        };

        var config = MeshBackup.Config("apps", "shop", spec)!;

        Assert.Equal(("s3://bucket/p/apps/shop/", "http://minio:9000", "5s", "1h", "48h"),
            (config.Url, config.Endpoint, config.Interval, config.SnapshotInterval, config.Retention));
        Assert.Null(config.Credentials);
        Assert.Null(MeshBackup.Config("apps", "shop", null));
    }

    [Theory]
    [InlineData("10s", 60)]
    [InlineData(null, 60)]
    [InlineData("30s", 90)]
    [InlineData("5m", 900)]
    public void StaleAfter_IsThreeIntervals_AtLeastAMinute(string? interval, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), MeshBackup.StaleAfter(new BackupSpec { Url = "s3://bucket", Interval = interval }));
}
