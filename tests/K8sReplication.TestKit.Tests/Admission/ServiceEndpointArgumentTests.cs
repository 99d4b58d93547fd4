using K8sReplication.TestKit.Kube;

namespace K8sReplication.TestKit.Tests.Admission;

/// <summary>The apiserver command's <c>--service-endpoint</c> values.</summary>
public sealed class ServiceEndpointArgumentTests
{
    [Theory]
    [InlineData("k8srepl-system/k8srepl-webhook=127.0.0.1:9443", "k8srepl-system/k8srepl-webhook:443", "127.0.0.1", 9443)]
    [InlineData("webhooks/injector:8443=localhost:1234", "webhooks/injector:8443", "localhost", 1234)]
    public void Parse_MapsTheServicePort_DefaultingTo443(string text, string key, string host, int port)
    {
        Assert.True(ServiceEndpointArgument.TryParse(text, out var parsedKey, out var endpoint));
        Assert.Equal(key, parsedKey);
        Assert.Equal(host, endpoint.Host);
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("injector=127.0.0.1:9443")]
    [InlineData("webhooks/=127.0.0.1:9443")]
    [InlineData("webhooks/injector:0=127.0.0.1:9443")]
    [InlineData("webhooks/injector=127.0.0.1")]
    [InlineData("webhooks/injector=127.0.0.1:70000")]
    [InlineData("webhooks/injector")]
    public void Parse_RefusesIncompleteValues(string text) =>
        Assert.False(ServiceEndpointArgument.TryParse(text, out _, out _));
}
