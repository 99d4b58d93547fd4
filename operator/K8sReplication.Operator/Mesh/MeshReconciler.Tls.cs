using System.Net;
using k8s;
using k8s.Models;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Kube.Events;
using K8sReplication.Operator.Pki;

namespace K8sReplication.Operator.Mesh;

internal sealed partial class MeshReconciler
{
    /// <summary>
    /// Brings the mesh's certificates where <c>spec.tls</c> wants them. Mode Operator: plans the authority and member
    /// Secrets (<see cref="MeshCertificates"/>) from what is stored, the members and what their sidecars report having
    /// loaded, and writes what changed, the authority first (a member bundle never names an authority the operator
    /// could lose). Returns null when TLS is disabled, else what the status needs and when to look again.
    /// </summary>
    private async Task<(TlsExpectation? Expectation, TimeSpan? LookAgain)> EnsureTlsAsync(
        ReplicationMesh mesh, IReadOnlyList<MemberObservation> observations, CancellationToken cancellationToken)
    {
        var name = mesh.Metadata.Name!;
        var ns = mesh.Metadata.NamespaceProperty;
        var tls = mesh.Spec?.Tls;
        switch (tls?.Mode ?? TlsMode.Operator)
        {
            case TlsMode.Disabled:
                return (null, null);
            case TlsMode.Secret:
                return (new TlsExpectation(TlsMode.Secret, tls!.SecretRef?.Name ?? "", "SecretProvided", ""), null);
        }

        var authority = await _secrets.ManagedSecretAsync(ns, MeshResource.AuthoritySecretName(name), cancellationToken).ConfigureAwait(false);
        var memberSecret = await _secrets.ManagedSecretAsync(ns, MeshResource.MemberTlsSecretName(name), cancellationToken).ConfigureAwait(false);
        var seen = observations
            .Where(o => o.Health?.Tls is not null)
            .ToDictionary(o => o.Pod, o => new MemberTlsObservation(o.Health!.Tls!.CertificateFingerprint, o.Health.Tls.TrustedAuthorities), StringComparer.Ordinal);
        var plan = MeshCertificates.Plan(
            name, Data(authority), Data(memberSecret), Identities(mesh), seen, _time.GetUtcNow(), _options.Pki);
        var memberSecretName = MeshResource.MemberTlsSecretName(name);
        if (plan.Blocked)
        {
            LogTlsBlocked(_logger, name, plan.Message);
            await RecordAsync(mesh, EventRecorder.Warning, plan.Reason, plan.Message, cancellationToken).ConfigureAwait(false);
            return (new TlsExpectation(TlsMode.Operator, memberSecretName, plan.Reason, plan.Message, Blocked: true), plan.RequeueAfter);
        }

        if (plan.AuthorityChanged)
        {
            await WriteSecretAsync(mesh, authority, MeshResource.AuthoritySecretName(name), plan.AuthorityData, cancellationToken).ConfigureAwait(false);
        }

        if (plan.MembersChanged)
        {
            await WriteSecretAsync(mesh, memberSecret, memberSecretName, plan.MemberData, cancellationToken).ConfigureAwait(false);
        }

        if (plan.AuthorityChanged || plan.Issued.Count > 0)
        {
            LogTlsChanged(_logger, name, plan.Message);
            await RecordAsync(mesh, EventRecorder.Normal, plan.Issued.Count > 0 ? "CertificatesIssued" : plan.Reason, plan.Message, cancellationToken)
                .ConfigureAwait(false);
        }

        return (new TlsExpectation(TlsMode.Operator, memberSecretName, plan.Reason, plan.Message), plan.RequeueAfter);
    }

    /// <summary>
    /// The pods that get a certificate and the names it carries: its pod name, its DNS names under its subdomain, and
    /// its IPs. Every selected pod with an IP gets one, not only running members: a pod whose sidecar waits for its
    /// certificate is not running yet.
    /// </summary>
    private List<MemberIdentity> Identities(ReplicationMesh mesh)
    {
        var ns = mesh.Metadata.NamespaceProperty;
        var identities = new List<MemberIdentity>();
        foreach (var pod in _pods.List(ns).Where(p => MemberDiscovery.IsCertified(mesh.Spec?.Selector, p)).OrderBy(p => p.Metadata.Name, StringComparer.Ordinal))
        {
            var name = pod.Metadata.Name!;
            var dns = new List<string> { name };
            if (pod.Spec?.Subdomain is { Length: > 0 } subdomain)
            {
                var host = pod.Spec.Hostname is { Length: > 0 } hostname ? hostname : name;
                dns.Add($"{host}.{subdomain}.{ns}.svc");
                dns.Add($"{host}.{subdomain}.{ns}.svc.cluster.local");
            }

            var addresses = (pod.Status?.PodIPs?.Select(p => p.Ip) ?? [pod.Status?.PodIP])
                .Select(ip => IPAddress.TryParse(ip, out var address) ? address : null)
                .OfType<IPAddress>()
                .Distinct()
                .ToList();
            identities.Add(new MemberIdentity(name, dns, addresses));
        }

        return identities;
    }

    private async Task WriteSecretAsync(
        ReplicationMesh mesh, V1Secret? stored, string name, IReadOnlyDictionary<string, byte[]> data, CancellationToken cancellationToken)
    {
        var secret = new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = MeshResource.OwnedMetadata(mesh, name),
            Type = "Opaque",
            Data = data.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
        };
        if (stored is null)
        {
            await _client.CoreV1.CreateNamespacedSecretAsync(secret, mesh.Metadata.NamespaceProperty, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        else
        {
            // The resourceVersion makes a concurrent change fail with a conflict (retried) instead of being overwritten.
            secret.Metadata.ResourceVersion = stored.Metadata.ResourceVersion;
            await _client.CoreV1.ReplaceNamespacedSecretAsync(secret, name, mesh.Metadata.NamespaceProperty, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
    }

    private static Dictionary<string, byte[]>? Data(V1Secret? secret) =>
        secret is null ? null : new Dictionary<string, byte[]>(secret.Data ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mesh {Mesh}: certificates: {Message}")]
    private static partial void LogTlsChanged(ILogger logger, string mesh, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mesh {Mesh}: certificates cannot be managed: {Message}")]
    private static partial void LogTlsBlocked(ILogger logger, string mesh, string message);
}
