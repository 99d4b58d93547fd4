using System.Globalization;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Operator.Mesh;
using k8s.Models;

namespace K8sReplication.Operator.Injection;

/// <summary>
/// Pure builder of the injected container and the volumes it needs, for one pod of one mesh. The shape is the one
/// <c>examples/sqlite-app</c> writes by hand: ports named <c>k8srepl</c> / <c>k8srepl-admin</c> (how the operator finds
/// a member's ports), probes on the admin port, non-root with a read-only root filesystem, the mesh's ConfigMap,
/// the TLS, token and Redis password Secrets the mesh names.
/// </summary>
internal static class SidecarContainer
{
    /// <summary>
    /// Owner read-only (octal 0400). The kubelet adds group read for the pod's fsGroup, which is how the non-root
    /// sidecar reads the files; nothing else in the pod can.
    /// </summary>
    private const int SecretFileMode = 256;

    public static V1Container Build(InjectionRequest request, V1VolumeMount data, ReplicationMesh mesh, InjectionOptions options)
    {
        var spec = mesh.Spec ?? new ReplicationMeshSpec();
        var replicationPort = spec.ReplicationPort ?? WellKnown.ReplicationPort;
        var adminPort = spec.AdminPort ?? WellKnown.AdminPort;
        var args = new List<string>
        {
            "--database", request.Database,
            "--config", $"{InjectionKeys.ConfigMountPath}/$({WellKnown.PodNameEnv}).json",
            "--state-dir", (request.DatabaseFolder == "/" ? "" : request.DatabaseFolder) + "/.k8srepl",
            "--listen", string.Create(CultureInfo.InvariantCulture, $"0.0.0.0:{replicationPort}"),
            "--admin-listen", string.Create(CultureInfo.InvariantCulture, $"0.0.0.0:{adminPort}"),
        };
        var mounts = new List<V1VolumeMount>
        {
            new() { Name = data.Name, MountPath = data.MountPath, SubPath = data.SubPath, SubPathExpr = data.SubPathExpr },
            new() { Name = InjectionKeys.ConfigVolume, MountPath = InjectionKeys.ConfigMountPath, ReadOnlyProperty = true },
            new() { Name = InjectionKeys.TmpVolume, MountPath = "/tmp" },
        };
        if (spec.AuthSecretRef is not null)
        {
            args.AddRange(["--token-file", $"{InjectionKeys.TokenMountPath}/{WellKnown.TokenSecretKey}"]);
            mounts.Add(new V1VolumeMount { Name = InjectionKeys.TokenVolume, MountPath = InjectionKeys.TokenMountPath, ReadOnlyProperty = true });
        }

        if (MeshResource.MemberTlsSecret(mesh) is not null)
        {
            var (certificate, key, authority) = TlsFiles(MeshResource.TlsModeOf(spec));
            args.AddRange([
                "--tls-cert", $"{InjectionKeys.TlsMountPath}/{certificate}",
                "--tls-key", $"{InjectionKeys.TlsMountPath}/{key}",
                "--tls-ca", $"{InjectionKeys.TlsMountPath}/{authority}",
            ]);
            mounts.Add(new V1VolumeMount { Name = InjectionKeys.TlsVolume, MountPath = InjectionKeys.TlsMountPath, ReadOnlyProperty = true });
        }

        if (RedisSecret(spec) is not null)
        {
            // The rest of the transport (url, key prefix, stream length) is in the config file, read before the start.
            args.AddRange(["--redis-password-file", $"{InjectionKeys.RedisMountPath}/{RedisSecretReference.PasswordKey}"]);
            mounts.Add(new V1VolumeMount { Name = InjectionKeys.RedisVolume, MountPath = InjectionKeys.RedisMountPath, ReadOnlyProperty = true });
        }

        return new V1Container
        {
            Name = InjectionKeys.ContainerName,
            Image = options.Image,
            RestartPolicy = options.Mode == SidecarMode.Native ? "Always" : null,
            Args = args,
            Env =
            [
                new V1EnvVar { Name = WellKnown.PodNameEnv, ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } },
            ],
            Ports =
            [
                new V1ContainerPort { Name = WellKnown.ReplicationPortName, ContainerPort = replicationPort, Protocol = "TCP" },
                new V1ContainerPort { Name = WellKnown.AdminPortName, ContainerPort = adminPort, Protocol = "TCP" },
            ],
            StartupProbe = Probe(Paths.Startupz, period: 2, failures: 60),
            ReadinessProbe = Probe(Paths.Readyz, period: 5, failures: 3),
            LivenessProbe = Probe(Paths.Livez, period: 10, failures: 3),
            Resources = options.Requests.Count == 0 && options.Limits.Count == 0 ? null : new V1ResourceRequirements
            {
                Requests = options.Requests.Count == 0 ? null : options.Requests.ToDictionary(r => r.Key, r => new ResourceQuantity(r.Value)),
                Limits = options.Limits.Count == 0 ? null : options.Limits.ToDictionary(r => r.Key, r => new ResourceQuantity(r.Value)),
            },
            SecurityContext = new V1SecurityContext
            {
                AllowPrivilegeEscalation = false,
                ReadOnlyRootFilesystem = true,
                RunAsNonRoot = true,
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
                SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
            },
            VolumeMounts = mounts,
        };
    }

    /// <summary>The volumes the container mounts besides the app's data volume.</summary>
    public static IReadOnlyList<V1Volume> Volumes(ReplicationMesh mesh)
    {
        var spec = mesh.Spec ?? new ReplicationMeshSpec();
        var volumes = new List<V1Volume>
        {
            // Optional: the pod starts before the operator has written its entry; the sidecar waits for the file.
            new() { Name = InjectionKeys.ConfigVolume, ConfigMap = new V1ConfigMapVolumeSource { Name = MeshResource.ConfigMapName(mesh.Metadata.Name), Optional = true } },
            new() { Name = InjectionKeys.TmpVolume, EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("16Mi") } },
        };
        if (spec.AuthSecretRef is { } auth)
        {
            volumes.Add(new V1Volume
            {
                Name = InjectionKeys.TokenVolume,
                Secret = new V1SecretVolumeSource
                {
                    SecretName = auth.Name,
                    DefaultMode = SecretFileMode,
                    Items = [new V1KeyToPath { Key = WellKnown.TokenSecretKey, Path = WellKnown.TokenSecretKey }],
                },
            });
        }

        if (MeshResource.MemberTlsSecret(mesh) is { } tlsSecret)
        {
            // In mode Operator the pod's own POD.crt/POD.key appear only after the pod exists and the operator issued
            // them; the kubelet refreshes the mounted Secret and the sidecar waits for its files.
            volumes.Add(new V1Volume
            {
                Name = InjectionKeys.TlsVolume,
                Secret = new V1SecretVolumeSource { SecretName = tlsSecret, DefaultMode = SecretFileMode, Optional = MeshResource.TlsModeOf(spec) == TlsMode.Operator },
            });
        }

        if (RedisSecret(spec) is { } redis)
        {
            volumes.Add(new V1Volume
            {
                Name = InjectionKeys.RedisVolume,
                Secret = new V1SecretVolumeSource
                {
                    SecretName = redis,
                    DefaultMode = SecretFileMode,
                    Items = [new V1KeyToPath { Key = RedisSecretReference.PasswordKey, Path = RedisSecretReference.PasswordKey }],
                },
            });
        }

        return volumes;
    }

    /// <summary>The Secret with the Redis password, when the mesh is on the Redis transport and names one.</summary>
    private static string? RedisSecret(ReplicationMeshSpec spec) =>
        spec.HotPath is { Transport: HotPathTransport.Redis, Redis.SecretRef.Name: { Length: > 0 } name } ? name : null;

    /// <summary>The file names the sidecar reads from the TLS mount in a mode that has one.</summary>
    public static (string Certificate, string Key, string Authority) TlsFiles(TlsMode mode) => mode == TlsMode.Secret
        ? (TlsSecretReference.CertificateKey, TlsSecretReference.PrivateKeyKey, TlsSecretReference.AuthorityKey)
        : ($"$({WellKnown.PodNameEnv}).crt", $"$({WellKnown.PodNameEnv}).key", Pki.MeshCertificates.BundleKey);

    private static V1Probe Probe(string path, int period, int failures) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = WellKnown.AdminPortName },
        PeriodSeconds = period,
        TimeoutSeconds = 2,
        FailureThreshold = failures,
    };
}
