using K8sReplication.Contracts.Health;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Tests.Mesh;

public sealed class MeshBackupHealthTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly BackupExpectation Expected = new(TimeSpan.FromMinutes(1), null);

    private static MemberObservation Member(string pod, BackupHealth? backup) =>
        new(pod, $"http://{pod}:8900", $"http://{pod}:8901",
            new SidecarHealth { State = EngineState.Running, Ready = true, Healthy = true, MerkleRoot = "aa", ConfigGeneration = 1, Backup = backup },
            null, T0);

    private static BackupHealth Archived(TimeSpan ago, string? error = null) =>
        new() { Url = "s3://b/default/demo/", LastSuccessAt = T0 - ago, LastError = error };

    private static MeshCondition? BackupCondition(ReplicationMeshStatus status) =>
        status.Conditions!.SingleOrDefault(c => c.Type == ConditionTypes.BackupHealthy);

    [Fact]
    public void EveryMemberArchivedRecently_IsTrue()
    {
        var condition = MeshBackupHealth.Condition([Member("a", Archived(TimeSpan.FromSeconds(5))), Member("b", Archived(TimeSpan.FromSeconds(50)))],
            Expected, null, T0);

        Assert.Equal((ConditionStatus.True, ConditionReasons.ArchiveCurrent), (condition.Status, condition.Reason));
    }

    [Fact]
    public void AMemberReportingAnError_IsArchiveFailing_NamingThePodAndTheError()
    {
        var condition = MeshBackupHealth.Condition(
            [Member("a", Archived(TimeSpan.FromSeconds(5))), Member("b", Archived(TimeSpan.FromSeconds(5), "PUT s3://b/x: 403 AccessDenied"))],
            Expected, null, T0);

        Assert.Equal((ConditionStatus.False, ConditionReasons.ArchiveFailing), (condition.Status, condition.Reason));
        Assert.Contains("b: PUT s3://b/x: 403 AccessDenied", condition.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("a:", condition.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMemberWithoutBackupOrUnreadable_IsNotReported()
    {
        var unreadable = new MemberObservation("c", "http://c:8900", "http://c:8901", null, "connection refused", T0);

        var condition = MeshBackupHealth.Condition([Member("a", Archived(TimeSpan.Zero)), Member("b", null), unreadable], Expected, null, T0);

        Assert.Equal((ConditionStatus.False, ConditionReasons.NotReported), (condition.Status, condition.Reason));
        Assert.Contains("b; c (status not read: connection refused)", condition.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOldOrMissingLastSuccess_IsArchiveStale()
    {
        var never = new BackupHealth { Url = "s3://b/default/demo/" };

        var condition = MeshBackupHealth.Condition([Member("a", Archived(TimeSpan.FromSeconds(61))), Member("b", never)], Expected, null, T0);

        Assert.Equal((ConditionStatus.False, ConditionReasons.ArchiveStale), (condition.Status, condition.Reason));
        Assert.Contains("a (last 2026-11-22T11:58:59Z); b (never)", condition.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnusableCredentials_AreCredentialsUnavailable_AndARefusedAuthSecretIsUnknown()
    {
        var members = new[] { Member("a", Archived(TimeSpan.Zero)) };

        var credentials = MeshBackupHealth.Condition(members, Expected with { CredentialsProblem = "Secret s3 named by spec.backup.credentialsSecretRef ..." }, null, T0);
        var refused = MeshBackupHealth.Condition(members, Expected, "Secret t lacks the label", T0);

        Assert.Equal((ConditionStatus.False, ConditionReasons.CredentialsUnavailable), (credentials.Status, credentials.Reason));
        Assert.StartsWith("Secret s3 named by spec.backup.credentialsSecretRef", credentials.Message, StringComparison.Ordinal);
        Assert.Equal((ConditionStatus.Unknown, ConditionReasons.AuthSecretNotLabelled), (refused.Status, refused.Reason));
    }

    [Fact]
    public void StatusBuilder_AddsTheConditionAndStatusOnlyWithABackup()
    {
        var members = new[] { Member("a", Archived(TimeSpan.FromSeconds(3))) };

        var with = MeshStatusBuilder.Build(1, 1, false, false, members, null, T0, backup: Expected);
        var without = MeshStatusBuilder.Build(1, 1, false, false, members, with, T0);

        Assert.Equal(ConditionStatus.True, BackupCondition(with)!.Status);
        Assert.NotNull(with.Backup);
        Assert.Null(BackupCondition(without));
        Assert.Null(without.Backup);
    }

    [Fact]
    public void LastSuccessTime_IsTheOldestMemberSuccess_InWholeSeconds_AbsentWhileAMemberHasNone()
    {
        var a = Member("a", Archived(TimeSpan.FromSeconds(3)));
        var b = Member("b", Archived(TimeSpan.FromSeconds(20.5)));
        var fresh = Member("c", new BackupHealth { Url = "s3://b/default/demo/" });

        Assert.Equal(T0.AddSeconds(-21), MeshBackupHealth.Status([a, b, Member("d", null)], null).LastSuccessTime);
        Assert.Null(MeshBackupHealth.Status([a, fresh], null).LastSuccessTime);
    }

    [Fact]
    public void LastSuccessTime_StaysPut_UntilItIsARefreshPeriodBehind_ButMovesBackAtOnce()
    {
        var previous = new MeshBackupStatus { LastSuccessTime = T0.AddMinutes(-10) };

        var soon = MeshBackupHealth.Status([Member("a", Archived(TimeSpan.FromMinutes(6)))], previous);
        var later = MeshBackupHealth.Status([Member("a", Archived(TimeSpan.FromMinutes(4)))], previous);
        var older = MeshBackupHealth.Status([Member("a", Archived(TimeSpan.FromMinutes(11)))], previous);

        Assert.Same(previous, soon);
        Assert.Equal(T0.AddMinutes(-4), later.LastSuccessTime);
        Assert.Equal(T0.AddMinutes(-11), older.LastSuccessTime);
    }
}
