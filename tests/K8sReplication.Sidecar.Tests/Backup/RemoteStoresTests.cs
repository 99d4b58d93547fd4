using K8sReplication.Contracts.Config;
using K8sReplication.Sidecar.Backup;

namespace K8sReplication.Sidecar.Tests.Backup;

/// <summary>Backup URLs and endpoints: which are accepted, and that every refusal names its configuration key.</summary>
public sealed class RemoteStoresTests
{
    [Theory]
    [InlineData("file:///var/backup")]
    [InlineData("file:///var/backup/")]
    [InlineData("s3://my-bucket")]
    [InlineData("s3://my-bucket/")]
    [InlineData("s3://my.bucket-1/archive/mesh-a/")]
    public void CheckUrl_ValidUrl_IsAccepted(string url) => Assert.Null(RemoteStores.CheckUrl(url));

    [Theory]
    [InlineData(null, "is empty")]
    [InlineData("", "is empty")]
    [InlineData("backup/dir", "must be file:///abs/path or s3://bucket[/prefix]")]
    [InlineData("/var/backup", "must be file:///abs/path or s3://bucket[/prefix]")]
    [InlineData("file://relative/dir", "three slashes")]
    [InlineData("file:relative", "must be file:///abs/path")]
    [InlineData("gs://bucket/prefix", "must be file:///abs/path or s3://bucket[/prefix]")]
    [InlineData("https://bucket.s3.amazonaws.com/prefix", "must be file:///abs/path or s3://bucket[/prefix]")]
    [InlineData("s3://", "names no bucket")]
    [InlineData("s3:///prefix", "names no bucket")]
    [InlineData("s3://Bad_Bucket/prefix", "not a valid S3 bucket name")]
    [InlineData("s3://bucket/../other", "invalid prefix")]
    [InlineData("s3://bucket/a//b", "invalid prefix")]
    public void CheckUrl_InvalidUrl_NamesTheKey(string? url, string problem)
    {
        var message = RemoteStores.CheckUrl(url);

        Assert.NotNull(message);
        Assert.StartsWith("backup.url", message);
        Assert.Contains(problem, message);
    }

    [Fact]
    public void CheckUrl_CredentialsInTheUrl_AreNotEchoed()
    {
        var message = RemoteStores.CheckUrl("s3://AKIDEXAMPLE:wJalrXUtnFEMI@bucket/prefix");

        Assert.NotNull(message);
        Assert.DoesNotContain("wJalrXUtnFEMI", message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("http://127.0.0.1:9000")]
    [InlineData("https://minio.storage.svc:9000/")]
    public void CheckEndpoint_ValidOrNone_IsAccepted(string? endpoint) => Assert.Null(RemoteStores.CheckEndpoint(endpoint));

    [Theory]
    [InlineData("minio:9000", "not an absolute http(s) URL")]
    [InlineData("127.0.0.1:9000", "not an absolute http(s) URL")]
    [InlineData("ftp://minio", "not an absolute http(s) URL")]
    [InlineData("http://minio:9000/?x=1", "query or fragment")]
    [InlineData("http://user:hunter2@minio:9000", "user info")]
    public void CheckEndpoint_Invalid_NamesTheKey(string endpoint, string problem)
    {
        var message = RemoteStores.CheckEndpoint(endpoint);

        Assert.NotNull(message);
        Assert.StartsWith("backup.endpoint", message);
        Assert.Contains(problem, message);
        Assert.DoesNotContain("hunter2", message);
    }

    [Theory]
    [InlineData("relative/dir", null, "backup.url")]
    [InlineData("s3://bucket/p", "not-a-url", "backup.endpoint")]
    [InlineData("file:///var/backup", "http://127.0.0.1:9000", "backup.endpoint")]
    public void Open_InvalidSettings_ThrowsNamingTheKey(string url, string? endpoint, string key)
    {
        var e = Assert.Throws<ArgumentException>(() => RemoteStores.Open(url, endpoint, null));

        Assert.Contains(key, e.Message);
    }

    [Fact]
    public void Open_HalfOfAStaticKeyPair_IsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => RemoteStores.Open("s3://bucket/p", "http://127.0.0.1:9000", new BackupCredentials { AccessKeyId = "id-only", Region = "us-east-1" }));

        Assert.Contains("secret access key", e.Message);
    }
}
