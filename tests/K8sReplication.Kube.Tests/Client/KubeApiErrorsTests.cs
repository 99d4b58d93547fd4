using System.Net;
using k8s.Autorest;
using K8sReplication.Kube.Client;

namespace K8sReplication.Kube.Tests.Client;

public sealed class KubeApiErrorsTests
{
    private static HttpOperationException Failure(HttpStatusCode code, string body) => new("Operation returned an invalid status code")
    {
        Request = new HttpRequestMessageWrapper(new HttpRequestMessage(HttpMethod.Post, "http://api/api/v1/namespaces/d/configmaps"), ""),
        Response = new HttpResponseMessageWrapper(new HttpResponseMessage(code), body),
    };

    [Fact]
    public void StatusBody_IsReadFromTheClientsException()
    {
        var ex = Failure(HttpStatusCode.UnprocessableEntity, """
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
             "message":"configmaps \"x\" is invalid: data.k: Invalid value","reason":"Invalid",
             "details":{"name":"x","kind":"configmaps","causes":[{"reason":"FieldValueInvalid","message":"bad","field":"data.k"}]},"code":422}
            """);
        Assert.Equal(422, ex.StatusCode());
        Assert.Equal("Invalid", ex.Status()!.Reason);
        Assert.Equal("data.k", Assert.Single(ex.Status()!.Details.Causes).Field);
        Assert.Equal("POST /api/v1/namespaces/d/configmaps: 422 Invalid: configmaps \"x\" is invalid: data.k: Invalid value", ex.Describe());
        Assert.False(ex.IsConflict());
        Assert.False(ex.IsNotFound());
    }

    [Fact]
    public void NonStatusBody_StillGivesTheCode()
    {
        var ex = Failure(HttpStatusCode.BadGateway, "<html>proxy</html>");
        Assert.Null(ex.Status());
        Assert.Equal(502, ex.StatusCode());
        Assert.Contains("502 BadGateway", ex.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NullWhenNotFound_TurnsOnly404IntoNull()
    {
        Assert.Null(await Task.FromException<string>(Failure(HttpStatusCode.NotFound, "")).NullWhenNotFound());
        Assert.Equal("x", await Task.FromResult("x").NullWhenNotFound());
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => Task.FromException<string>(Failure(HttpStatusCode.Conflict, "")).NullWhenNotFound());
        Assert.True(conflict.IsConflict());
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
    [InlineData(410, false)]
    [InlineData(422, false)]
    public void Transience_FollowsStatusCode(int code, bool transient)
    {
        Assert.Equal(transient, KubeApiErrors.IsTransientStatus(code));
        Assert.Equal(transient, new KubeApiException("x", code, null).IsTransient);
    }

    [Fact]
    public void Gone_IsNeverTransient()
    {
        Assert.False(new ResourceExpiredException("too old").IsTransient);
        Assert.Equal(410, new ResourceExpiredException("too old").StatusCode);
    }
}
