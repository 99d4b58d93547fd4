using K8sReplication.Observability.Metrics;

namespace K8sReplication.Observability.Tests.Metrics;

public sealed class LabelSetTests
{
    private static readonly KeyValuePair<string, object?>[] PeerThenReason = [new("peer", "a"), new("reason", "stale")];
    private static readonly KeyValuePair<string, object?>[] ReasonThenPeer = [new("reason", "stale"), new("peer", "a")];

    [Fact]
    public void Equality_IgnoresTagOrder()
    {
        var x = LabelSet.From(PeerThenReason);
        var y = LabelSet.From(ReasonThenPeer);
        Assert.True(LabelSetComparer.Instance.Equals(x, y));
        Assert.Equal(LabelSetComparer.Instance.GetHashCode(x), LabelSetComparer.Instance.GetHashCode(y));
        Assert.True(LabelSetComparer.Instance.Equals(ReasonThenPeer.AsSpan(), x));
        Assert.Equal(x.HashCode, LabelSetComparer.Instance.GetHashCode(ReasonThenPeer.AsSpan()));
    }

    [Fact]
    public void Equality_DistinguishesValuesAndArity()
    {
        var x = LabelSet.From(PeerThenReason);
        Assert.False(x.Matches([new("peer", "b"), new("reason", "stale")]));
        Assert.False(x.Matches([new("peer", "a")]));
        Assert.False(x.Matches([new("peer", "a"), new("reason", "stale"), new("table", "t")]));
    }

    [Fact]
    public void Rendered_SortsSanitisesAndEscapes()
    {
        var labels = LabelSet.From([new("z.key", "q\"\\\n"), new("a", 1), new("m", null)]);
        Assert.Equal("a=\"1\",m=\"\",z_key=\"q\\\"\\\\\\n\"", labels.Rendered);
    }

    [Fact]
    public void Rendered_KeepsOneValueWhenTwoKeysSanitiseToTheSameName()
    {
        var labels = LabelSet.From([new("a.b", "first"), new("a_b", "second")]);
        Assert.Single(labels.Rendered.Split(','));
    }

    [Fact]
    public void Empty_RendersNothing()
    {
        Assert.Same(LabelSet.Empty, LabelSet.From([]));
        Assert.Equal("", LabelSet.Empty.Rendered);
    }
}
