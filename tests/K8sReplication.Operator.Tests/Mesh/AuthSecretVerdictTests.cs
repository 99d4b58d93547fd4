using System.Text;
using K8sReplication.Contracts;
using k8s.Models;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Tests.Mesh;

public sealed class AuthSecretVerdictTests
{
    private static V1Secret SecretWith(IDictionary<string, string>? labels, string? token = "t0ken") => new()
    {
        Metadata = new V1ObjectMeta { Name = "s", NamespaceProperty = "apps", Labels = labels },
        Data = token is null ? new Dictionary<string, byte[]>() : new Dictionary<string, byte[]> { [WellKnown.TokenSecretKey] = Encoding.UTF8.GetBytes(token + "\n") },
    };

    [Fact]
    public void LabelledSecretWithToken_IsAccepted_TokenTrimmed()
    {
        var verdict = AuthSecretVerdict.Of("s", SecretWith(new Dictionary<string, string> { [Labels.MeshAuthSecret] = "true" }));

        Assert.Equal(AuthSecretOutcome.Accepted, verdict.Outcome);
        Assert.Equal("t0ken", verdict.Token);
        Assert.False(verdict.Refused);
        Assert.Null(verdict.RefusalMessage);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    [InlineData("True")]
    [InlineData("")]
    public void SecretWithoutTheOptInLabel_IsRefused_AndItsTokenIsNotRead(string? value)
    {
        var labels = new Dictionary<string, string> { ["app"] = "demo" };
        if (value is not null)
        {
            labels[Labels.MeshAuthSecret] = value;
        }

        var verdict = AuthSecretVerdict.Of("s", SecretWith(labels));

        Assert.Equal(AuthSecretOutcome.NotLabelled, verdict.Outcome);
        Assert.True(verdict.Refused);
        Assert.Null(verdict.Token);
        Assert.Contains("Secret s", verdict.RefusalMessage, StringComparison.Ordinal);
        Assert.Contains($"{Labels.MeshAuthSecret}=true", verdict.RefusalMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void UnlabelledSecretWithoutAnyLabels_IsRefused()
    {
        Assert.True(AuthSecretVerdict.Of("s", SecretWith(null)).Refused);
    }

    [Fact]
    public void MissingSecretOrKey_IsMissing_NotRefused()
    {
        var absent = AuthSecretVerdict.Of("s", null);
        var noKey = AuthSecretVerdict.Of("s", SecretWith(new Dictionary<string, string> { [Labels.MeshAuthSecret] = "true" }, token: null));

        Assert.Equal((AuthSecretOutcome.Missing, (string?)null, false), (absent.Outcome, absent.Token, absent.Refused));
        Assert.Equal((AuthSecretOutcome.Missing, (string?)null, false), (noKey.Outcome, noKey.Token, noKey.Refused));
    }
}
