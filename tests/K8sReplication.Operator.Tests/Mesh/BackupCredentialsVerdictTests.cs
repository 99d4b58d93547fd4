using System.Text;
using K8sReplication.Contracts;
using k8s.Models;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Tests.Mesh;

public sealed class BackupCredentialsVerdictTests
{
    private static readonly Dictionary<string, string> OptedIn = new() { [Labels.MeshBackupSecret] = Labels.MeshBackupSecretValue };

    private static V1Secret SecretWith(IDictionary<string, string>? labels, params (string Key, string Value)[] data) => new()
    {
        Metadata = new V1ObjectMeta { Name = "s3", NamespaceProperty = "apps", Labels = labels, ResourceVersion = "7" },
        Data = data.ToDictionary(d => d.Key, d => Encoding.UTF8.GetBytes(d.Value + "\n")),
    };

    [Fact]
    public void LabelledSecret_GivesTrimmedCredentials_AndAVersionHoldingNoValue()
    {
        var verdict = BackupCredentialsVerdict.Of("s3", SecretWith(OptedIn,
            ("accessKeyId", "AKIDEXAMPLE"), ("secretAccessKey", "very-secret"), ("sessionToken", "tok"), ("region", "eu-west-1")));

        Assert.Null(verdict.Problem);
        Assert.Equal(("AKIDEXAMPLE", "very-secret", "tok", "eu-west-1"),
            (verdict.Credentials!.AccessKeyId, verdict.Credentials.SecretAccessKey, verdict.Credentials.SessionToken, verdict.Credentials.Region));
        Assert.Equal("s3@7", verdict.Version);
    }

    [Fact]
    public void OptionalKeys_MayBeAbsent()
    {
        var verdict = BackupCredentialsVerdict.Of("s3", SecretWith(OptedIn, ("accessKeyId", "a"), ("secretAccessKey", "b")));

        Assert.Null(verdict.Problem);
        Assert.Null(verdict.Credentials!.SessionToken);
        Assert.Null(verdict.Credentials.Region);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    [InlineData("True")]
    public void SecretWithoutTheBackupLabel_GivesNoCredentials_AndNamesTheLabel(string? value)
    {
        var labels = new Dictionary<string, string> { [Labels.MeshAuthSecret] = Labels.MeshAuthSecretValue };
        if (value is not null)
        {
            labels[Labels.MeshBackupSecret] = value;
        }

        var verdict = BackupCredentialsVerdict.Of("s3", SecretWith(labels, ("accessKeyId", "AKIDEXAMPLE"), ("secretAccessKey", "very-secret")));

        Assert.Null(verdict.Credentials);
        Assert.Contains("Secret s3 named by spec.backup.credentialsSecretRef", verdict.Problem, StringComparison.Ordinal);
        Assert.Contains($"{Labels.MeshBackupSecret}={Labels.MeshBackupSecretValue}", verdict.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret", verdict.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingSecretOrKey_GivesNoCredentials_AndSaysWhat()
    {
        var missing = BackupCredentialsVerdict.Of("s3", null);
        var noSecretKey = BackupCredentialsVerdict.Of("s3", SecretWith(OptedIn, ("accessKeyId", "AKIDEXAMPLE"), ("secretAccessKey", " ")));

        Assert.Null(missing.Credentials);
        Assert.Contains("Secret s3 named by spec.backup.credentialsSecretRef does not exist", missing.Problem, StringComparison.Ordinal);
        Assert.Null(noSecretKey.Credentials);
        Assert.Contains("has no key secretAccessKey", noSecretKey.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("AKIDEXAMPLE", noSecretKey.Problem, StringComparison.Ordinal);
    }
}
