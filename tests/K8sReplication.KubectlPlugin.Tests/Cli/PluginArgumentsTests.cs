using K8sReplication.KubectlPlugin.Cli;

namespace K8sReplication.KubectlPlugin.Tests.Cli;

public sealed class PluginArgumentsTests
{
    [Fact]
    public void FlagsAnywhere_BothForms_AreParsed()
    {
        var args = PluginArguments.Parse(["--context=prod", "conflicts", "-n", "notes", "demo", "--table", "items", "--limit=5", "-o", "yaml", "--no-color", "--kubeconfig", "/k"]);

        Assert.Equal("conflicts", args.Command);
        Assert.Equal(["demo"], args.Positional);
        Assert.Equal(("prod", "notes", "/k", "items", 5), (args.Context, args.Namespace, args.Kubeconfig, args.Table, args.Limit));
        Assert.Equal(OutputFormat.Yaml, args.Output);
        Assert.True(args.NoColor);
    }

    [Fact]
    public void Defaults_AreTableOutputAndTheDefaultLimit()
    {
        var args = PluginArguments.Parse(["status", "demo"]);

        Assert.Equal((OutputFormat.Table, PluginArguments.DefaultConflictLimit, false), (args.Output, args.Limit, args.NoColor));
        Assert.Null(args.Namespace);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("-o", "xml")]
    [InlineData("--limit", "0")]
    [InlineData("--limit", "ten")]
    [InlineData("--namespace")]
    public void BadFlags_AreUsageErrors(params string[] flags)
    {
        Assert.Throws<UsageException>(() => PluginArguments.Parse(["status", "demo", .. flags]));
    }

    [Fact]
    public void Expect_WrongNumberOfPositionals_IsAUsageError()
    {
        Assert.Throws<UsageException>(() => PluginArguments.Parse(["status"]).Expect("mesh"));
        Assert.Throws<UsageException>(() => PluginArguments.Parse(["status", "a", "b"]).Expect("mesh"));
        Assert.Equal(["a"], PluginArguments.Parse(["status", "a"]).Expect("mesh"));
    }

    [Fact]
    public async Task ExitCodes_HelpIsZero_UsageErrorsAreTwo()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        Assert.Equal(PluginCommands.Ok, await PluginCommands.RunAsync(["--help"], stdout, stderr, CancellationToken.None));
        Assert.Equal(PluginCommands.Usage, await PluginCommands.RunAsync([], stdout, stderr, CancellationToken.None));
        Assert.Equal(PluginCommands.Usage, await PluginCommands.RunAsync(["sync", "demo"], stdout, stderr, CancellationToken.None));
        Assert.Contains("unknown command \"sync\"", stderr.ToString());
        Assert.Equal(PluginCommands.Usage, await PluginCommands.RunAsync(["pause"], stdout, stderr, CancellationToken.None));
        Assert.Equal(PluginCommands.Usage, await PluginCommands.RunAsync(["resync", "demo"], stdout, stderr, CancellationToken.None));
        Assert.Contains("resync takes MESH MEMBER", stderr.ToString());
    }
}
