using K8sReplication.Contracts.Health;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Tests.Mesh;

public sealed class MeshStatusBuilderTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    private static MemberObservation Healthy(string pod, string root = "aa", long generation = 1, long lag = 0, DateTimeOffset? at = null) =>
        new(pod, $"http://{pod}:8900", $"http://{pod}:8901", new SidecarHealth
        {
            State = EngineState.Running,
            Ready = true,
            Healthy = true,
            AcceptingWrites = true,
            SiteId = pod + "-site",
            MerkleRoot = root,
            ConfigGeneration = generation,
            SchemaHashes = new Dictionary<string, string> { ["orders"] = "h1" },
            Peers = [new PeerHealth { Name = "x", Connected = true, LagChanges = lag, LagSeconds = lag * 0.01 }],
        }, null, at ?? T0);

    private static MemberObservation Unreachable(string pod) =>
        new(pod, $"http://{pod}:8900", $"http://{pod}:8901", null, "connection refused", T0);

    private static ConditionStatus StatusOf(ReplicationMeshStatus s, string type) => s.Conditions!.Single(c => c.Type == type).Status;

    [Fact]
    public void AllHealthySameRoot_IsReadyConvergedApplied()
    {
        var status = MeshStatusBuilder.Build(3, 1, false, false, [Healthy("a"), Healthy("b"), Healthy("c")], null, T0);

        Assert.Equal(ConditionStatus.True, StatusOf(status, ConditionTypes.Ready));
        Assert.Equal(ConditionStatus.True, StatusOf(status, ConditionTypes.Converged));
        Assert.Equal(ConditionStatus.True, StatusOf(status, ConditionTypes.ConfigApplied));
        Assert.Equal(ConditionStatus.True, StatusOf(status, ConditionTypes.SchemaConsistent));
        Assert.Equal(ConditionStatus.False, StatusOf(status, ConditionTypes.Degraded));
        Assert.Equal("Running", status.Phase);
        Assert.Equal(3, status.ReadyMembers);
        Assert.Equal(3, status.ObservedGeneration);
        Assert.All(status.Conditions!, c => Assert.Equal(3, c.ObservedGeneration));
    }

    [Fact]
    public void TerminatingMember_IsShownDraining_WithItsUndeliveredChanges_AndDoesNotDegradeTheMesh()
    {
        var draining = Healthy("b", root: "bb") with { Terminating = true };
        draining = draining with { Health = draining.Health! with { Draining = true, UndeliveredChanges = 4 } };
        var status = MeshStatusBuilder.Build(1, 1, false, false, [Healthy("a"), draining], null, T0);

        var member = status.Members!.Single(m => m.Pod == "b");
        Assert.Equal(MeshStatusBuilder.DrainingState, member.State);
        Assert.Equal(4, member.UndeliveredChanges);
        Assert.Null(status.Members!.Single(m => m.Pod == "a").UndeliveredChanges);
        Assert.Equal(ConditionStatus.False, StatusOf(status, ConditionTypes.Degraded));
        Assert.Equal(ConditionStatus.True, StatusOf(status, ConditionTypes.Converged));

        // Once its sidecar has exited the pod may still be listed for a moment: still Draining, last count kept.
        var gone = Unreachable("b") with { Terminating = true };
        var later = MeshStatusBuilder.Build(1, 1, false, false, [Healthy("a"), gone], status, T0);
        Assert.Equal(MeshStatusBuilder.DrainingState, later.Members!.Single(m => m.Pod == "b").State);
        Assert.Equal(4, later.Members!.Single(m => m.Pod == "b").UndeliveredChanges);
        Assert.Equal(ConditionStatus.False, StatusOf(later, ConditionTypes.Degraded));
    }

    [Fact]
    public void DifferingSchemas_SchemaConsistentFalse_NamesTheTableAndWhichMembersHoldWhich()
    {
        var c = Healthy("c");
        c = c with { Health = c.Health! with { SchemaHashes = new Dictionary<string, string> { ["orders"] = "h2" } } };
        var d = Healthy("d");
        d = d with { Health = d.Health! with { SchemaHashes = new Dictionary<string, string>() } };
        var status = MeshStatusBuilder.Build(1, 1, false, false, [Healthy("a"), Healthy("b"), c, d], null, T0);

        var condition = status.Conditions!.Single(x => x.Type == ConditionTypes.SchemaConsistent);
        Assert.Equal(ConditionStatus.False, condition.Status);
        Assert.Equal(ConditionReasons.SchemaMismatch, condition.Reason);
        Assert.Contains("orders (a, b | c; missing on d)", condition.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnreachableMember_IsDegradedWithReasonNamingTheMember()
    {
        var status = MeshStatusBuilder.Build(1, 1, false, false, [Healthy("a"), Unreachable("b")], null, T0);

        var degraded = status.Conditions!.Single(c => c.Type == ConditionTypes.Degraded);
        Assert.Equal(ConditionStatus.True, degraded.Status);
        Assert.Equal(ConditionReasons.MemberUnreachable, degraded.Reason);
        Assert.Contains("b", degraded.Message, StringComparison.Ordinal);
        Assert.Equal("Degraded", status.Phase);
        Assert.Equal("Unreachable", status.Members!.Single(m => m.Pod == "b").State);
    }

    [Fact]
    public void DifferentRootsOrLag_IsNotConverged()
    {
        var roots = MeshStatusBuilder.Build(1, 1, false, false, [Healthy("a", "aa"), Healthy("b", "bb")], null, T0);
        var lag = MeshStatusBuilder.Build(1, 1, false, false, [Healthy("a"), Healthy("b", lag: 5)], null, T0);

        Assert.Equal(ConditionReasons.RootsDiffer, roots.Conditions!.Single(c => c.Type == ConditionTypes.Converged).Reason);
        Assert.Equal(ConditionReasons.Lagging, lag.Conditions!.Single(c => c.Type == ConditionTypes.Converged).Reason);
        Assert.Equal("0.05s", lag.MaxLag);
    }

    [Fact]
    public void OutdatedConfigGeneration_IsNotApplied()
    {
        var status = MeshStatusBuilder.Build(1, 2, false, false, [Healthy("a", generation: 2), Healthy("b", generation: 1)], null, T0);

        var applied = status.Conditions!.Single(c => c.Type == ConditionTypes.ConfigApplied);
        Assert.Equal(ConditionStatus.False, applied.Status);
        Assert.Contains("b", applied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SteadyMesh_RebuildsAnIdenticalStatus_SoNoWriteIsNeeded()
    {
        var first = MeshStatusBuilder.Build(1, 1, false, false, [Healthy("a"), Healthy("b")], null, T0);

        var later = T0.AddSeconds(30);
        var second = MeshStatusBuilder.Build(1, 1, false, false, [Healthy("a", at: later), Healthy("b", at: later)], first, later);

        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(first, MeshJsonContext.Default.ReplicationMeshStatus),
                     System.Text.Json.JsonSerializer.Serialize(second, MeshJsonContext.Default.ReplicationMeshStatus));
    }

    [Fact]
    public void ConditionFlip_UpdatesLastTransitionTime_OnlyForTheFlippedCondition()
    {
        var first = MeshStatusBuilder.Build(1, 1, false, false, [Healthy("a"), Healthy("b")], null, T0);
        var later = T0.AddMinutes(1);

        var second = MeshStatusBuilder.Build(1, 1, false, false, [Healthy("a", at: later), Unreachable("b")], first, later);

        Assert.Equal(later, second.Conditions!.Single(c => c.Type == ConditionTypes.Degraded).LastTransitionTime);
        Assert.Equal(T0, second.Conditions!.Single(c => c.Type == ConditionTypes.SchemaConsistent).LastTransitionTime);
    }

    [Fact]
    public void NoMembers_IsPendingAndNotReady()
    {
        var status = MeshStatusBuilder.Build(1, 1, false, false, [], null, T0);

        Assert.Equal("Pending", status.Phase);
        Assert.Equal(ConditionReasons.NoMembers, status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Reason);
    }

    [Fact]
    public void RefusedAuthSecret_ConfigNotAppliedAndDegradedWithTheRefusal_MembersNotContacted()
    {
        var previous = MeshStatusBuilder.Build(1, 1, false, false, [Healthy("a")], null, T0);
        var notContacted = Unreachable("a") with { Contacted = false };

        var status = MeshStatusBuilder.Build(1, 1, false, false, [notContacted], previous, T0.AddSeconds(5), "Secret s lacks the label");

        var applied = status.Conditions!.Single(c => c.Type == ConditionTypes.ConfigApplied);
        Assert.Equal(ConditionStatus.False, applied.Status);
        Assert.Equal(ConditionReasons.AuthSecretNotLabelled, applied.Reason);
        Assert.Equal("Secret s lacks the label", applied.Message);
        var degraded = status.Conditions!.Single(c => c.Type == ConditionTypes.Degraded);
        Assert.Equal((ConditionStatus.True, ConditionReasons.AuthSecretNotLabelled), (degraded.Status, degraded.Reason));
        Assert.All(new[] { ConditionTypes.Ready, ConditionTypes.Converged, ConditionTypes.SchemaConsistent },
            type => Assert.Equal(ConditionStatus.Unknown, StatusOf(status, type)));
        Assert.Equal("Degraded", status.Phase);
        var member = Assert.Single(status.Members!);
        Assert.Equal(MemberObservation.NotContactedState, member.State);
        Assert.False(member.Ready);
        Assert.Equal("a-site", member.SiteId);
    }

    [Fact]
    public void MembersOnTheGenerationThatNeedARestart_ConfigAppliedFalse_NamingThemAndTheKeys()
    {
        var pending = Healthy("b") with { Health = Healthy("b").Health! with { PendingRestart = ["hotPath.transport"] } };
        var status = MeshStatusBuilder.Build(1, 1, false, false, [Healthy("a"), pending], null, T0);

        var applied = status.Conditions!.Single(c => c.Type == ConditionTypes.ConfigApplied);
        Assert.Equal((ConditionStatus.False, ConditionReasons.RestartRequired), (applied.Status, applied.Reason));
        Assert.Contains("b (hotPath.transport)", applied.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("a (", applied.Message, StringComparison.Ordinal);

        // A member not yet on the generation is reported first: the push is still on its way.
        var outdated = MeshStatusBuilder.Build(1, 2, false, false, [Healthy("a", generation: 2), pending], null, T0);
        Assert.Equal(ConditionReasons.MembersOutdated, outdated.Conditions!.Single(c => c.Type == ConditionTypes.ConfigApplied).Reason);
    }

    [Fact]
    public void RedisOutage_DegradedNamesRedis_NotTheMembers()
    {
        static MemberObservation CutOff(string pod) => Healthy(pod) with
        {
            Health = Healthy(pod).Health! with
            {
                Healthy = false,
                Redis = new RedisTransportHealth { Url = "redis://redis.shop:6379/0", Connected = false, Circuit = CircuitState.Open, LastError = "connection refused" },
            },
        };

        var status = MeshStatusBuilder.Build(1, 1, false, false, [CutOff("a"), CutOff("b")], null, T0);

        var degraded = status.Conditions!.Single(c => c.Type == ConditionTypes.Degraded);
        Assert.Equal((ConditionStatus.True, ConditionReasons.RedisUnavailable), (degraded.Status, degraded.Reason));
        Assert.Contains("redis://redis.shop:6379/0", degraded.Message, StringComparison.Ordinal);
        Assert.Contains("a, b", degraded.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", degraded.Message, StringComparison.Ordinal);

        var connected = Healthy("a") with
        {
            Health = Healthy("a").Health! with { Redis = new RedisTransportHealth { Url = "redis://redis.shop:6379/0", Connected = true } },
        };
        Assert.Equal(ConditionStatus.False, StatusOf(MeshStatusBuilder.Build(1, 1, false, false, [connected], null, T0), ConditionTypes.Degraded));
    }
}
