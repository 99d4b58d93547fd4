using K8sReplication.Sidecar.Security;
using Microsoft.AspNetCore.Http;

namespace K8sReplication.Sidecar.Tests.Security;

public sealed class BearerTokenAuthenticatorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("k8srepl-auth-").FullName;

    private BearerTokenAuthenticator WithToken(string token)
    {
        var file = Path.Combine(_folder, "token");
        File.WriteAllText(file, token);
        return new BearerTokenAuthenticator(file);
    }

    [Fact]
    public void BearerHeader_WithTheToken_IsAuthorized()
    {
        var auth = WithToken("s3cret\n");

        Assert.True(auth.IsAuthorized(new HeaderDictionary { ["Authorization"] = "Bearer s3cret" }));
        Assert.False(auth.IsAuthorized(new HeaderDictionary { ["Authorization"] = "Bearer other" }));
    }

    [Fact]
    public void TokenHeader_WithTheToken_IsAuthorized()
    {
        var auth = WithToken("s3cret");

        Assert.True(auth.IsAuthorized(new HeaderDictionary { [BearerTokenAuthenticator.TokenHeader] = "s3cret" }));
        Assert.False(auth.IsAuthorized(new HeaderDictionary { [BearerTokenAuthenticator.TokenHeader] = "s3cre" }));
        Assert.False(auth.IsAuthorized(new HeaderDictionary { [BearerTokenAuthenticator.TokenHeader] = "" }));
    }

    [Fact]
    public void NoHeaders_AreRefused_AndEverythingPassesWithoutATokenFile()
    {
        Assert.False(WithToken("s3cret").IsAuthorized(new HeaderDictionary()));
        Assert.True(new BearerTokenAuthenticator(null).IsAuthorized(new HeaderDictionary()));
    }

    [Fact]
    public void EmptyTokenFile_RefusesAnEmptyTokenHeader()
    {
        var auth = WithToken("  ");

        Assert.False(auth.IsAuthorized(new HeaderDictionary { [BearerTokenAuthenticator.TokenHeader] = " " }));
        Assert.False(auth.IsAuthorized(new HeaderDictionary { ["Authorization"] = "Bearer " }));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
