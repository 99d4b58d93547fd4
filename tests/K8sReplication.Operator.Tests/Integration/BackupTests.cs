using System.Text;
using System.Text.Json;
using k8s.Models;
using k8s;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Health;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Kube.Client;
using K8sReplication.Operator.Mesh;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Tools;

namespace K8sReplication.Operator.Tests.Integration;

/// <summary>
/// spec.backup end to end: the real operator against the emulator pushes the per-mesh archive and the opted-in
/// Secret's credentials to members whose backup health the test scripts, and reports BackupHealthy and
/// status.backup from what they say.
/// </summary>
public sealed class BackupTests
{
    private const string CredentialsSecret = "backup-s3";
    private const string AccessKeyId = "AKIDBACKUPTEST";
    private const string SecretAccessKey = "backup-secret-access-key-value";

    private static ReplicationMeshSpec SpecWithBackup() => OperatorScenario.Spec() with
    {
        Backup = new BackupSpec
        {
            Url = "s3://bucket/some/prefix/",
            Endpoint = "http://127.0.0.1:9",
            Interval = "2s",
            CredentialsSecretRef = new BackupCredentialsSecretReference { Name = CredentialsSecret },
        },
    };

    private static BackupHealth Archived(DateTimeOffset at, string? error = null) =>
        new() { Url = $"s3://bucket/some/prefix/{OperatorScenario.Namespace}/demo/", LastSuccessAt = at, LastError = error };

    [Fact]
    public async Task LabelledCredentials_ArePushed_NeverShown_AndBackupHealthFollowsTheMembers_UntilTheSpecDropsIt()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        await CreateCredentialsAsync(scenario, optedIn: true);
        await using var a = await ScriptedMember.StartAsync("demo-0");
        await using var b = await ScriptedMember.StartAsync("demo-1");
        await scenario.CreatePodAsync("demo-0", a.Port, a.Port);
        await scenario.CreatePodAsync("demo-1", b.Port, b.Port);
        var op = await scenario.StartOperatorAsync();
        await scenario.CreateMeshAsync("demo", SpecWithBackup());

        // Pushed: the archive under <url>/<namespace>/<mesh>/, the tunables, and the Secret's credentials.
        await Eventually.TrueAsync(() => a.Pushes.Count > 0 && b.Pushes.Count > 0, OperatorScenario.Deadline, "a config push to both members");
        var pushed = a.Pushes[^1].Backup!;
        Assert.Equal("s3://bucket/some/prefix/default/demo/", pushed.Url);
        Assert.Equal(("http://127.0.0.1:9", "2s"), (pushed.Endpoint, pushed.Interval));
        Assert.Equal((AccessKeyId, SecretAccessKey, "eu-west-1"),
            (pushed.Credentials!.AccessKeyId, pushed.Credentials.SecretAccessKey, pushed.Credentials.Region));

        // Nobody reports a backup yet.
        var silent = await scenario.WaitForMeshAsync("demo",
            m => OperatorScenario.Condition(m, ConditionTypes.BackupHealthy)?.Reason == ConditionReasons.NotReported, "BackupHealthy=NotReported");
        Assert.Equal(ConditionStatus.False, OperatorScenario.Condition(silent, ConditionTypes.BackupHealthy)!.Status);

        // One member fails: named with its error.
        var now = DateTimeOffset.UtcNow;
        a.Backup = Archived(now);
        b.Backup = Archived(now.AddSeconds(-30), "PutObject s3://bucket/some/prefix/default/demo/x: 503 SlowDown");
        var failing = await scenario.WaitForMeshAsync("demo",
            m => OperatorScenario.Condition(m, ConditionTypes.BackupHealthy)?.Reason == ConditionReasons.ArchiveFailing, "BackupHealthy=ArchiveFailing");
        var condition = OperatorScenario.Condition(failing, ConditionTypes.BackupHealthy)!;
        Assert.Equal(ConditionStatus.False, condition.Status);
        Assert.Contains("demo-1: PutObject s3://bucket/some/prefix/default/demo/x: 503 SlowDown", condition.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("demo-0", condition.Message, StringComparison.Ordinal);

        // It recovers: True, and lastSuccessTime is the older member's success, in whole seconds.
        b.Backup = Archived(now.AddSeconds(-3));
        var healthy = await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Has(m, ConditionTypes.BackupHealthy, ConditionStatus.True),
            "BackupHealthy=True after the member recovered");
        Assert.Equal(ConditionReasons.ArchiveCurrent, OperatorScenario.Condition(healthy, ConditionTypes.BackupHealthy)!.Reason);
        var oldest = now.AddSeconds(-30);
        Assert.Equal(new DateTimeOffset(oldest.UtcTicks - oldest.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero), healthy.Status!.Backup!.LastSuccessTime);

        // The credentials never show: not in the ConfigMap, the status, an Event or the operator's output.
        var configMap = await scenario.Kube.CoreV1.ReadNamespacedConfigMapAsync(MeshResource.ConfigMapName("demo"), OperatorScenario.Namespace).NullWhenNotFound();
        var events = await scenario.ListEventsAsync();
        var shown = string.Join("\n",
            JsonSerializer.Serialize(configMap!.Data),
            JsonSerializer.Serialize(healthy.Status, MeshJsonContext.Default.ReplicationMeshStatus),
            string.Join("\n", events.Select(e => e.Note)),
            op.Output);
        Assert.Contains("s3://bucket/some/prefix/default/demo/", shown, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretAccessKey, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(AccessKeyId, shown, StringComparison.Ordinal);

        // spec.backup removed: the condition and status.backup go, and the members are told to stop archiving.
        var current = (await scenario.GetMeshAsync("demo"))!;
        await scenario.ReplaceMeshAsync(new ReplicationMesh
        {
            Metadata = current.Metadata,
            Spec = current.Spec! with { Backup = null },
        });
        var dropped = await scenario.WaitForMeshAsync("demo",
            m => OperatorScenario.Condition(m, ConditionTypes.BackupHealthy) is null && m.Status?.Backup is null, "BackupHealthy and status.backup removed");
        Assert.Equal(
            [
                ConditionTypes.ConfigApplied, ConditionTypes.Converged, ConditionTypes.Degraded, ConditionTypes.NetworkPolicyReady, ConditionTypes.Ready,
                ConditionTypes.SchemaConsistent, ConditionTypes.TlsReady,
            ],
            dropped.Status!.Conditions!.Select(c => c.Type).Order(StringComparer.Ordinal));
        await Eventually.TrueAsync(() => a.Pushes[^1].Backup is null, OperatorScenario.Deadline, "a push without backup");
    }

    [Fact]
    public async Task UnlabelledOrMissingCredentialsSecret_PushesNoCredentials_AndBackupHealthyNamesTheSecret()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        await CreateCredentialsAsync(scenario, optedIn: false);
        await using var a = await ScriptedMember.StartAsync("demo-0");
        await scenario.CreatePodAsync("demo-0", a.Port, a.Port);
        a.Backup = Archived(DateTimeOffset.UtcNow);
        var op = await scenario.StartOperatorAsync();
        await scenario.CreateMeshAsync("demo", SpecWithBackup());

        var refused = await scenario.WaitForMeshAsync("demo",
            m => OperatorScenario.Condition(m, ConditionTypes.BackupHealthy)?.Reason == ConditionReasons.CredentialsUnavailable,
            "BackupHealthy=CredentialsUnavailable");
        var condition = OperatorScenario.Condition(refused, ConditionTypes.BackupHealthy)!;
        Assert.Equal(ConditionStatus.False, condition.Status);
        Assert.Contains($"Secret {CredentialsSecret} named by spec.backup.credentialsSecretRef", condition.Message, StringComparison.Ordinal);
        Assert.Contains($"{Labels.MeshBackupSecret}={Labels.MeshBackupSecretValue}", condition.Message, StringComparison.Ordinal);
        Assert.True(OperatorScenario.Has(refused, ConditionTypes.ConfigApplied, ConditionStatus.True), "the rest of the config still applies");
        Assert.All(a.Pushes, p => Assert.Null(p.Backup!.Credentials));
        Assert.Equal("s3://bucket/some/prefix/default/demo/", a.Pushes[^1].Backup!.Url);

        await scenario.Kube.CoreV1.DeleteNamespacedSecretAsync(CredentialsSecret, OperatorScenario.Namespace);
        var missing = await scenario.WaitForMeshAsync("demo",
            m => OperatorScenario.Condition(m, ConditionTypes.BackupHealthy)?.Message?.Contains("does not exist", StringComparison.Ordinal) == true,
            "BackupHealthy to report the missing Secret");
        Assert.Equal(ConditionReasons.CredentialsUnavailable, OperatorScenario.Condition(missing, ConditionTypes.BackupHealthy)!.Reason);

        // Labelled again: the credentials reach the member with a new generation.
        await CreateCredentialsAsync(scenario, optedIn: true);
        await Eventually.TrueAsync(() => a.Pushes[^1].Backup?.Credentials?.SecretAccessKey == SecretAccessKey, OperatorScenario.Deadline,
            "the credentials pushed once the Secret is opted in");
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Has(m, ConditionTypes.BackupHealthy, ConditionStatus.True), "BackupHealthy=True");
        Assert.DoesNotContain(SecretAccessKey, op.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// The whole path with real parts: the operator pushes the archive and the Secret's credentials to real sidecars,
    /// which archive to a real S3-compatible server; while it is down replication goes on and BackupHealthy turns False
    /// naming the members; once it is back the backlog is uploaded and BackupHealthy is True again.
    /// </summary>
    [Fact]
    public async Task RealSidecarsAndS3_ArchiveDownForAWhile_BackupHealthyFalseThenTrue_ReplicationUnaffected()
    {
        await using var s3 = new S3rverServer();
        await s3.StartAsync();
        await using var scenario = await OperatorScenario.StartAsync();
        await scenario.Kube.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = CredentialsSecret,
                Labels = new Dictionary<string, string> { [Labels.MeshBackupSecret] = Labels.MeshBackupSecretValue },
            },
            Data = new Dictionary<string, byte[]>
            {
                [BackupCredentialsSecretReference.AccessKeyIdKey] = Encoding.UTF8.GetBytes(S3rverServer.AccessKeyId),
                [BackupCredentialsSecretReference.SecretAccessKeyKey] = Encoding.UTF8.GetBytes(S3rverServer.SecretAccessKey),
                [BackupCredentialsSecretReference.RegionKey] = Encoding.UTF8.GetBytes("us-east-1"),
            },
        }, OperatorScenario.Namespace);
        var members = await Task.WhenAll(scenario.AddMemberAsync("demo-0"), scenario.AddMemberAsync("demo-1"));
        await scenario.StartOperatorAsync();
        await scenario.CreateMeshAsync("demo", OperatorScenario.Spec() with
        {
            Backup = new BackupSpec
            {
                Url = $"s3://{S3rverServer.Bucket}/meshes",
                Endpoint = s3.Endpoint,
                Interval = "1s",
                CredentialsSecretRef = new BackupCredentialsSecretReference { Name = CredentialsSecret },
            },
        });
        members[0].Insert("before");
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Has(m, ConditionTypes.BackupHealthy, ConditionStatus.True)
            && m.Status?.Backup?.LastSuccessTime is not null, "BackupHealthy=True once both members archive");

        await s3.StopAsync();
        members[0].Insert("while-down");
        await Eventually.TrueAsync(() => members[1].Has("while-down"), OperatorScenario.Deadline, "replication goes on while the archive is down");
        // Either member may fail first (demo-1 on its retention listing, say): wait until the one holding the new write
        // is named too.
        await scenario.WaitForMeshAsync("demo",
            m => OperatorScenario.Condition(m, ConditionTypes.BackupHealthy) is { Status: ConditionStatus.False, Reason: ConditionReasons.ArchiveFailing } c
                && c.Message?.Contains("demo-0", StringComparison.Ordinal) == true,
            "BackupHealthy=False naming demo-0 while the archive is down");

        await s3.StartAsync();
        await scenario.WaitForMeshAsync("demo", m => OperatorScenario.Has(m, ConditionTypes.BackupHealthy, ConditionStatus.True),
            "BackupHealthy=True once the backlog is uploaded");
        var health = await Task.WhenAll(members.Select(MemberHealthAsync));
        Assert.All(health, h => Assert.Equal((0L, (string?)null), (h.Backup!.PendingChanges, h.Backup.LastError)));
        Assert.All(health, h => Assert.Equal($"s3://{S3rverServer.Bucket}/meshes/{OperatorScenario.Namespace}/demo/", h.Backup!.Url));
    }

    private static async Task<SidecarHealth> MemberHealthAsync(MemberNode member)
    {
        using var http = new HttpClient();
        var json = await http.GetStringAsync(new Uri(member.Process.AdminUrl, "/v1/status"));
        return JsonSerializer.Deserialize(json, K8sReplication.Contracts.Json.ContractsJsonContext.Default.SidecarHealth)!;
    }

    private static Task<V1Secret> CreateCredentialsAsync(OperatorScenario scenario, bool optedIn) =>
        scenario.Kube.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = CredentialsSecret,
                Labels = optedIn ? new Dictionary<string, string> { [Labels.MeshBackupSecret] = Labels.MeshBackupSecretValue } : null,
            },
            Data = new Dictionary<string, byte[]>
            {
                [BackupCredentialsSecretReference.AccessKeyIdKey] = Encoding.UTF8.GetBytes(AccessKeyId),
                [BackupCredentialsSecretReference.SecretAccessKeyKey] = Encoding.UTF8.GetBytes(SecretAccessKey),
                [BackupCredentialsSecretReference.RegionKey] = Encoding.UTF8.GetBytes("eu-west-1"),
            },
        }, OperatorScenario.Namespace);
}
