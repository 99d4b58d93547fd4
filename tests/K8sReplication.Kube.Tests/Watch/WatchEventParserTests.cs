using System.Text;
using k8s;
using k8s.Models;
using K8sReplication.Kube.Client;
using K8sReplication.Kube.Resources;
using K8sReplication.Kube.Watch;

namespace K8sReplication.Kube.Tests.Watch;

public sealed class WatchEventParserTests
{
    private static WatchEvent<V1ConfigMap> Parse(string line) =>
        WatchEventParser.Parse(KubeResources.ConfigMaps, Encoding.UTF8.GetBytes(line));

    [Fact]
    public void Added_CarriesObjectAndResourceVersion()
    {
        var ev = Parse("""{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"17","managedFields":[{}]},"data":{"k":"v"}}}""");
        Assert.Equal(WatchEventType.Added, ev.Type);
        Assert.Equal("a", ev.Item.Metadata.Name);
        Assert.Equal("v", ev.Item.Data!["k"]);
        Assert.Equal("17", ev.ResourceVersion);
        Assert.Equal("ConfigMap", ev.Item.Kind);
    }

    [Fact]
    public void Bookmark_AdvancesResourceVersion()
    {
        var ev = Parse("""{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"99","creationTimestamp":null}}}""");
        Assert.Equal(WatchEventType.Bookmark, ev.Type);
        Assert.Equal("99", ev.ResourceVersion);
    }

    [Fact]
    public void Error410_IsResourceExpired()
    {
        var ex = Assert.Throws<ResourceExpiredException>(() => Parse(
            """{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 5 (90)","reason":"Expired","code":410}}"""));
        Assert.Equal(410, ex.StatusCode);
        Assert.False(ex.IsTransient);
        Assert.Equal("Expired", ex.Status?.Reason);
        Assert.Contains("too old resource version", ex.Message);
    }

    [Fact]
    public void OtherError_IsKubeApiExceptionWithStatus()
    {
        var ex = Assert.Throws<KubeApiException>(() => Parse(
            """{"type":"ERROR","object":{"kind":"Status","status":"Failure","message":"boom","reason":"InternalError","code":500}}"""));
        Assert.Equal(500, ex.StatusCode);
        Assert.True(ex.IsTransient);
        Assert.Equal("boom", ex.Status!.Message);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"type\":\"ADDED\"}")]
    [InlineData("{\"type\":\"WHAT\",\"object\":{\"metadata\":{}}}")]
    [InlineData("{\"type\":\"ADDED\",\"object\":null}")]
    public void MalformedLines_AreReportedWithContent(string line)
    {
        var ex = Assert.ThrowsAny<KubeApiException>(() => Parse(line));
        Assert.Contains("watch configmaps", ex.Message);
    }
}
