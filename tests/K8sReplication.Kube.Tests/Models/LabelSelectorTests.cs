using K8sReplication.Kube.Models;

namespace K8sReplication.Kube.Tests.Models;

public sealed class LabelSelectorTests
{
    [Fact]
    public void MatchLabelsAndExpressions_FormatAsQueryString_Sorted()
    {
        var selector = new LabelSelector
        {
            MatchLabels = new Dictionary<string, string> { ["tier"] = "db", ["app.kubernetes.io/name"] = "orders" },
            MatchExpressions =
            [
                new LabelSelectorRequirement { Key = "zone", Operator = "In", Values = ["b", "a"] },
                new LabelSelectorRequirement { Key = "env", Operator = "NotIn", Values = ["dev"] },
                new LabelSelectorRequirement { Key = "canary", Operator = "Exists" },
                new LabelSelectorRequirement { Key = "legacy", Operator = "DoesNotExist" },
            ],
        };
        Assert.Equal("app.kubernetes.io/name=orders,tier=db,zone in (a,b),env notin (dev),canary,!legacy", selector.ToQueryString());
    }

    [Fact]
    public void EmptySelector_MatchesEverything() => Assert.Equal("", new LabelSelector().ToQueryString());

    [Theory]
    [InlineData("bad key", "x", "matchLabels: label key 'bad key' is invalid")]
    [InlineData("UPPER.example/x", "x", "invalid prefix")]
    [InlineData("ok", "-bad", "matchLabels[ok]: label value '-bad' is invalid")]
    [InlineData("", "x", "label key must not be empty")]
    public void InvalidLabels_AreRejectedWithTheField(string key, string value, string expected)
    {
        var selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { [key] = value } };
        var ex = Assert.Throws<ArgumentException>(selector.ToQueryString);
        Assert.Contains(expected, ex.Message);
    }

    [Theory]
    [InlineData("In", new string[0], "matchExpressions[0].values must be non-empty")]
    [InlineData("Exists", new[] { "a" }, "matchExpressions[0].values must be empty")]
    [InlineData("Gt", new[] { "1" }, "matchExpressions[0].operator 'Gt' is not one of")]
    public void InvalidExpressions_AreRejectedWithTheField(string op, string[] values, string expected)
    {
        var selector = new LabelSelector { MatchExpressions = [new LabelSelectorRequirement { Key = "k", Operator = op, Values = values }] };
        var ex = Assert.Throws<ArgumentException>(selector.ToQueryString);
        Assert.Contains(expected, ex.Message);
    }
}
