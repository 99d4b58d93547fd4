using System.Net;
using System.Text;
using K8sReplication.Kube.Client;

namespace K8sReplication.Kube.Tests.Client;

public sealed class KubeApiExceptionTests
{
    [Fact]
    public void StatusBody_IsParsedIntoTheException()
    {
        var body = Encoding.UTF8.GetBytes("""
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
             "message":"configmaps \"x\" is invalid: data.k: Invalid value","reason":"Invalid",
             "details":{"name":"x","kind":"configmaps","causes":[{"reason":"FieldValueInvalid","message":"bad","field":"data.k"}]},"code":422}
            """);
        var ex = KubeClient.ErrorFrom(HttpMethod.Post, "/api/v1/namespaces/d/configmaps", HttpStatusCode.UnprocessableEntity, body);
        Assert.Equal(422, ex.StatusCode);
        Assert.Equal("Invalid", ex.Reason);
        Assert.Equal("Failure", ex.Status!.Outcome);
        Assert.Equal("data.k", Assert.Single(ex.Status.Details!.Causes!).Field);
        Assert.Contains("422 Invalid", ex.Message);
        Assert.Contains("is invalid", ex.Message);
        Assert.False(ex.IsTransient);
    }

    [Fact]
    public void NonStatusBody_StillGivesCodeAndClassification()
    {
        var ex = KubeClient.ErrorFrom(HttpMethod.Get, "/x", HttpStatusCode.BadGateway, Encoding.UTF8.GetBytes("<html>proxy</html>"));
        Assert.Null(ex.Status);
        Assert.Equal(502, ex.StatusCode);
        Assert.True(ex.IsTransient);
    }

    [Fact]
    public void Gone_IsResourceExpired()
    {
        var ex = KubeClient.ErrorFrom(HttpMethod.Get, "/x", HttpStatusCode.Gone, []);
        Assert.IsType<ResourceExpiredException>(ex);
        Assert.True(ex.IsGone);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(409, false)]
    [InlineData(422, false)]
    public void Transience_FollowsStatusCode(int code, bool transient)
    {
        var ex = new KubeApiException("x", code, null);
        Assert.Equal(transient, ex.IsTransient);
        Assert.Equal(code == 409, ex.IsConflict);
        Assert.Equal(code == 404, ex.IsNotFound);
    }

    [Fact]
    public void Throttling_IsMarkedNotProcessed()
    {
        Assert.True(KubeClient.ErrorFrom(HttpMethod.Post, "/x", HttpStatusCode.TooManyRequests, []).NotProcessed);
        Assert.False(KubeClient.ErrorFrom(HttpMethod.Post, "/x", HttpStatusCode.InternalServerError, []).NotProcessed);
    }
}
