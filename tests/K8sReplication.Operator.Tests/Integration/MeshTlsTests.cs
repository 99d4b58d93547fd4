using System.Text;
using System.Text.Json;
using k8s;
using K8sReplication.Contracts.Json;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Kube.Client;
using K8sReplication.Operator.Mesh;
using K8sReplication.Operator.Pki;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Tls;

namespace K8sReplication.Operator.Tests.Integration;

/// <summary>
/// TLS mode Operator end to end: the real operator issues every member a certificate from the mesh's own CA, a mesh of
/// real sidecars moves to mutual TLS pod by pod, replicates over it, and keeps replicating through a renewal of every
/// certificate. The kubelet's part (copying the member Secret into each pod's volume) is played by the test.
/// </summary>
public sealed class MeshTlsTests
{
    private static readonly TimeSpan Deadline = OperatorScenario.Deadline;
    private static readonly string[] Pods = ["tls-0", "tls-1", "tls-2"];

    [Fact]
    public async Task OperatorIssuesCertificates_MeshMovesToMutualTls_ReplicatesThroughARenewalAndAnAuthorityRotation()
    {
        await using var scenario = await OperatorScenario.StartAsync();
        await Task.WhenAll(Pods.Select(p => scenario.AddMemberAsync(p)));
        // Member certificates of one minute are renewed every forty seconds; the authority of two minutes is rotated
        // after eighty.
        await scenario.StartOperatorAsync("--tls-member-validity", "1m", "--tls-authority-validity", "2m");
        await scenario.CreateMeshAsync("sec");

        // Certificates come first; members started without TLS are named.
        var issued = await MemberSecretAsync(scenario, s => Pods.All(p => s.ContainsKey(p + ".crt")), "a certificate for every member");
        Assert.False(issued.ContainsKey("ca.key"), "the authority's key stays in the operator's own Secret");
        var authority = await scenario.Kube.CoreV1.ReadNamespacedSecretAsync(MeshResource.AuthoritySecretName("sec"), OperatorScenario.Namespace);
        Assert.Contains("ca.key", authority.Data.Keys);
        var firstAuthority = Encoding.UTF8.GetString(authority.Data["ca.crt"]);
        var withoutTls = await scenario.WaitForMeshAsync("sec",
            m => OperatorScenario.Condition(m, ConditionTypes.TlsReady) is { Status: ConditionStatus.False, Reason: "MembersWithoutTls" },
            "TLSReady False naming the members still on plain HTTP");
        Assert.Contains("sec-member-tls", OperatorScenario.Condition(withoutTls, ConditionTypes.TlsReady)!.Message, StringComparison.Ordinal);

        // Each pod moves to TLS: its volume gets the Secret, its sidecar restarts with the TLS flags, its pod is recreated.
        var volumes = Pods.ToDictionary(p => p, p => new SecretVolume(Path.Combine(scenario.Folder, "tls-" + p)));
        using var kubelet = new CancellationTokenSource();
        var syncing = SyncVolumesAsync(scenario, volumes, kubelet.Token);
        try
        {
            await Eventually.TrueAsync(() => volumes.Values.All(v => File.Exists(Path.Combine(v.Folder, "ca.crt"))), Deadline, "volumes filled");
            foreach (var pod in Pods)
            {
                var node = scenario.Members[pod];
                string[] flags =
                [
                    "--tls-cert", Path.Combine(volumes[pod].Folder, pod + ".crt"),
                    "--tls-key", Path.Combine(volumes[pod].Folder, pod + ".key"),
                    "--tls-ca", Path.Combine(volumes[pod].Folder, "ca.crt"),
                ];
                await scenario.Kube.CoreV1.DeleteNamespacedPodAsync(pod, OperatorScenario.Namespace);
                await node.RestartOnSamePortsAsync(flags);
                await scenario.CreatePodAsync(pod, node.ReplicationPort, node.AdminPort, flags);
            }

            var secured = await scenario.WaitForMeshAsync("sec",
                m => OperatorScenario.Settled(m, 3) && OperatorScenario.Has(m, ConditionTypes.TlsReady, ConditionStatus.True),
                "every member on TLS, converged, TLSReady");
            Assert.All(secured.Status!.Members!, m => Assert.StartsWith("https://", m.Address, StringComparison.Ordinal));
            scenario.Members["tls-0"].Insert("over-tls");
            await Eventually.TrueAsync(() => scenario.Members.Values.All(m => m.Has("over-tls")), Deadline, "a row over mutual TLS");

            // A renewal: new certificates in the Secret, loaded by every sidecar, replication unbroken.
            var before = CertificateOf(await MemberSecretAsync(scenario, _ => true, "the member Secret"), "tls-1");
            await MemberSecretAsync(scenario, s => CertificateOf(s, "tls-1") != before, "tls-1's certificate renewed", TimeSpan.FromSeconds(120));
            // Renewals follow each other every forty seconds here: the sidecar presents a later certificate than before,
            // one the operator issued (the Secret's current one, or its successor by the time it is read).
            await Eventually.ValueAsync(
                async () => (await PresentedAsync(scenario, "tls-1"), CertificateOf(await MemberSecretAsync(scenario, _ => true, "the member Secret"), "tls-1")),
                seen => seen.Item1 != Fingerprint(before) && seen.Item1 is not null,
                Deadline, "tls-1's sidecar presenting a renewed certificate");
            scenario.Members["tls-2"].Insert("after-renewal");
            await Eventually.TrueAsync(() => scenario.Members.Values.All(m => m.Has("after-renewal")), Deadline, "a row after the renewal");
            await scenario.WaitForMeshAsync("sec", m => OperatorScenario.Has(m, ConditionTypes.TlsReady, ConditionStatus.True), "TLSReady after the renewal");

            // The authority rotation: a second authority is trusted, then signs, then the first one is dropped; rows
            // written on every member meanwhile reach every member.
            var written = 0;
            var rotated = await Eventually.ValueAsync(
                async () =>
                {
                    scenario.Members[Pods[written++ % Pods.Length]].Insert($"during-rotation-{written}");
                    return (await scenario.Kube.CoreV1.ReadNamespacedSecretAsync(MeshResource.AuthoritySecretName("sec"), OperatorScenario.Namespace)).Data;
                },
                data => Encoding.UTF8.GetString(data["ca.crt"]) != firstAuthority && !data.ContainsKey("previous-ca.crt") && !data.ContainsKey("next-ca.crt"),
                TimeSpan.FromSeconds(150), "the authority rotated and the old one dropped");
            var bundle = await MemberSecretAsync(scenario, s => Encoding.UTF8.GetString(s["ca.crt"]) == Encoding.UTF8.GetString(rotated["ca.crt"]).TrimEnd() + "\n",
                "the member bundle holding only the new authority");
            Assert.DoesNotContain(firstAuthority.Trim(), Encoding.UTF8.GetString(bundle["ca.crt"]), StringComparison.Ordinal);
            var rows = Enumerable.Range(1, written).Select(i => $"during-rotation-{i}").ToList();
            await Eventually.TrueAsync(() => scenario.Members.Values.All(m => rows.All(m.Has)), Deadline, "every row written during the rotation on every member");
            await scenario.WaitForMeshAsync("sec", m => OperatorScenario.Has(m, ConditionTypes.TlsReady, ConditionStatus.True), "TLSReady after the rotation");
            var events = await scenario.ListEventsAsync();
            Assert.Contains(events, e => e.Note?.Contains("started rotating the certificate authority", StringComparison.Ordinal) == true);
        }
        finally
        {
            await kubelet.CancelAsync();
            await syncing;
        }
    }

    /// <summary>What the kubelet does for a mounted Secret: a changed Secret reaches every pod's volume in one swap.</summary>
    private static async Task SyncVolumesAsync(OperatorScenario scenario, Dictionary<string, SecretVolume> volumes, CancellationToken stop)
    {
        string? last = null;
        while (!stop.IsCancellationRequested)
        {
            var secret = await scenario.Kube.CoreV1.ReadNamespacedSecretAsync(MeshResource.MemberTlsSecretName("sec"), OperatorScenario.Namespace, cancellationToken: stop)
                .NullWhenNotFound();
            if (secret?.Metadata.ResourceVersion is { } version && version != last)
            {
                var files = secret.Data.ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetString(kv.Value));
                foreach (var volume in volumes.Values)
                {
                    volume.Write(files);
                }

                last = version;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<IDictionary<string, byte[]>> MemberSecretAsync(
        OperatorScenario scenario, Func<IDictionary<string, byte[]>, bool> accept, string because, TimeSpan? timeout = null) =>
        await Eventually.ValueAsync(
            async () => (await scenario.Kube.CoreV1.ReadNamespacedSecretAsync(MeshResource.MemberTlsSecretName("sec"), OperatorScenario.Namespace)
                .NullWhenNotFound())?.Data ?? new Dictionary<string, byte[]>(),
            accept, timeout ?? Deadline, because);

    private static string CertificateOf(IDictionary<string, byte[]> data, string pod) => Encoding.UTF8.GetString(data[MeshCertificates.CertificateKey(pod)]);

    private static string Fingerprint(string pem) => IssuedCertificate.FromPem(pem, null).Fingerprint;

    private static async Task<string?> PresentedAsync(OperatorScenario scenario, string pod)
    {
        using var http = new HttpClient();
        var json = await http.GetStringAsync(new Uri(scenario.Members[pod].Process.AdminUrl, "/v1/status"));
        return JsonSerializer.Deserialize(json, ContractsJsonContext.Default.SidecarHealth)!.Tls?.CertificateFingerprint;
    }
}
