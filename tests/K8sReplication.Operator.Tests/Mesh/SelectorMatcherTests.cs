using K8sReplication.Contracts.Mesh;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Tests.Mesh;

public sealed class SelectorMatcherTests
{
    private static readonly Dictionary<string, string> Labels = new() { ["app"] = "shop", ["tier"] = "db" };

    [Fact]
    public void MatchLabels_AllMustMatch()
    {
        Assert.True(SelectorMatcher.Matches(new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "shop" } }, Labels));
        Assert.False(SelectorMatcher.Matches(new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "shop", ["tier"] = "web" } }, Labels));
    }

    [Theory]
    [InlineData(SelectorOperator.In, "tier", new[] { "db", "cache" }, true)]
    [InlineData(SelectorOperator.In, "tier", new[] { "web" }, false)]
    [InlineData(SelectorOperator.NotIn, "tier", new[] { "web" }, true)]
    [InlineData(SelectorOperator.NotIn, "missing", new[] { "x" }, true)]
    [InlineData(SelectorOperator.NotIn, "tier", new[] { "db" }, false)]
    [InlineData(SelectorOperator.Exists, "app", new string[0], true)]
    [InlineData(SelectorOperator.Exists, "missing", new string[0], false)]
    [InlineData(SelectorOperator.DoesNotExist, "missing", new string[0], true)]
    [InlineData(SelectorOperator.DoesNotExist, "app", new string[0], false)]
    public void MatchExpressions_FollowKubernetesSemantics(SelectorOperator op, string key, string[] values, bool expected)
    {
        var selector = new LabelSelector { MatchExpressions = [new LabelSelectorRequirement { Key = key, Operator = op, Values = values }] };

        Assert.Equal(expected, SelectorMatcher.Matches(selector, Labels));
    }

    [Fact]
    public void EmptySelector_MatchesEverything_NullMatchesNothing()
    {
        Assert.True(SelectorMatcher.Matches(new LabelSelector(), Labels));
        Assert.False(SelectorMatcher.Matches(null, Labels));
    }
}
