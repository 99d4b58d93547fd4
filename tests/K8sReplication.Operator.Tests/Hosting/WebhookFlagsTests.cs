using K8sReplication.Operator.Hosting;
using K8sReplication.Operator.Injection;

namespace K8sReplication.Operator.Tests.Hosting;

public sealed class WebhookFlagsTests
{
    private static readonly string[] Required = ["--webhook-listen", "127.0.0.1:0", "--webhook-configuration", "k8srepl-injection", "--sidecar-image", "sidecar:1"];

    [Fact]
    public void WithoutWebhookListen_TheWebhookIsOff()
    {
        var (options, error) = OperatorCommandLine.Parse([]);
        Assert.Null(error);
        Assert.Null(options!.Webhook);
    }

    [Fact]
    public void AllWebhookFlags_AreRead()
    {
        var (options, error) = OperatorCommandLine.Parse([.. Required, "--webhook-service", "hook", "--webhook-service-namespace", "ops",
            "--webhook-secret", "hook-certs", "--sidecar-mode", "classic", "--sidecar-requests", "cpu=50m,memory=64Mi", "--sidecar-limits=memory=256Mi"]);
        Assert.Null(error);
        var webhook = options!.Webhook!;
        Assert.Equal(0, webhook.Listen.Port);
        Assert.Equal("k8srepl-injection", webhook.ConfigurationName);
        Assert.Equal("hook", webhook.ServiceName);
        Assert.Equal("ops", webhook.ServiceNamespace);
        Assert.Equal("hook-certs", webhook.SecretName);
        Assert.Equal("sidecar:1", webhook.Injection.Image);
        Assert.Equal(SidecarMode.Classic, webhook.Injection.Mode);
        Assert.Equal("64Mi", webhook.Injection.Requests["memory"]);
        Assert.Equal("256Mi", webhook.Injection.Limits["memory"]);
    }

    [Fact]
    public void Defaults_AreANativeSidecarAndTheStandardServiceName()
    {
        var webhook = OperatorCommandLine.Parse(Required).Options!.Webhook!;
        Assert.Equal(SidecarMode.Native, webhook.Injection.Mode);
        Assert.Equal("k8srepl-webhook", webhook.ServiceName);
        Assert.Null(webhook.SecretName);
        Assert.Empty(webhook.Injection.Requests);
    }

    [Theory]
    [InlineData("--sidecar-mode", "--sidecar-mode", "sidecar")]
    [InlineData("--sidecar-requests", "--sidecar-requests", "cpu")]
    [InlineData("--sidecar-requests", "--sidecar-requests", "gpu=1")]
    [InlineData("--sidecar-limits", "--sidecar-limits", "memory=lots")]
    [InlineData("--webhook-service", "--webhook-service", "Not_A_Name")]
    [InlineData("--sidecar-image", "--sidecar-image", "has space")]
    public void BadWebhookFlags_AreRefusedNamingTheFlag(string named, params string[] flag)
    {
        var (options, error) = OperatorCommandLine.Parse([.. Required, .. flag]);
        Assert.Null(options);
        Assert.StartsWith(named + ":", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--webhook-configuration")]
    [InlineData("--sidecar-image")]
    public void WebhookListen_NeedsItsRequiredFlags(string missing)
    {
        var args = Required.ToList();
        var at = args.IndexOf(missing);
        args.RemoveRange(at, 2);
        var (options, error) = OperatorCommandLine.Parse(args);
        Assert.Null(options);
        Assert.StartsWith(missing + ": required with --webhook-listen", error, StringComparison.Ordinal);
    }

    [Fact]
    public void WebhookFlagsWithoutWebhookListen_AreRefused()
    {
        var (options, error) = OperatorCommandLine.Parse(["--sidecar-mode", "classic"]);
        Assert.Null(options);
        Assert.Equal("--sidecar-mode: only used with --webhook-listen", error);
    }
}
