using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Schema;

namespace K8sReplication.TestKit.Tests.Kube.Schema;

public sealed class CelExpressionTests
{
    private static object? Eval(string rule, string self, string? oldSelf = null)
    {
        var scope = new Dictionary<string, object?>
        {
            ["self"] = CelValues.From(JsonNode.Parse(self)),
            ["oldSelf"] = oldSelf is null ? null : CelValues.From(JsonNode.Parse(oldSelf)),
        };
        return CelExpression.Compile(rule)(scope);
    }

    [Theory]
    [InlineData("self == oldSelf", "\"a\"", "\"a\"", true)]
    [InlineData("self == oldSelf", "\"a\"", "\"b\"", false)]
    [InlineData("self.operator in ['In', 'NotIn'] ? (has(self.values) && size(self.values) > 0) : (!has(self.values) || size(self.values) == 0)", """{"operator":"In","values":["x"]}""", null, true)]
    [InlineData("self.operator in ['In', 'NotIn'] ? (has(self.values) && size(self.values) > 0) : (!has(self.values) || size(self.values) == 0)", """{"operator":"In"}""", null, false)]
    [InlineData("self.operator in ['In', 'NotIn'] ? (has(self.values) && size(self.values) > 0) : (!has(self.values) || size(self.values) == 0)", """{"operator":"Exists","values":["x"]}""", null, false)]
    [InlineData("self.min <= self.max && self.name.startsWith('a')", """{"min":1,"max":2,"name":"abc"}""", null, true)]
    [InlineData("self.items.all(i, i.size() < 4) && self.items.exists(i, i == 'ab')", """{"items":["ab","c"]}""", null, true)]
    [InlineData("self.replicas % 2 == 1 || self.replicas == 0", """{"replicas":4}""", null, false)]
    public void Evaluate_SupportedRules(string rule, string self, string? oldSelf, bool expected) =>
        Assert.Equal(expected, Eval(rule, self, oldSelf));

    [Fact]
    public void MissingField_IsAnEvaluationError_AndUnknownFunctions_AreUnsupported()
    {
        Assert.Throws<CelEvaluationException>(() => Eval("self.absent == 1", "{}"));
        Assert.Throws<CelUnsupportedException>(() => CelExpression.Compile("quantity(self.size).isGreaterThan(quantity('1Gi'))"));
        Assert.True(CelExpression.UsesOldSelf("self == oldSelf"));
        Assert.False(CelExpression.UsesOldSelf("self.a == 'oldSelf'"));
    }
}
