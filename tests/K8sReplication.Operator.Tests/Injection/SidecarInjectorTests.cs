using k8s.Models;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Operator.Injection;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Tests.Injection;

public sealed class SidecarInjectorTests
{
    private const string Ns = "shop";
    private static readonly InjectionOptions Options = new()
    {
        Image = "ghcr.io/k8srepl/k8srepl-sidecar:1.2.3",
        Requests = new Dictionary<string, string> { ["cpu"] = "50m", ["memory"] = "64Mi" },
        Limits = new Dictionary<string, string> { ["memory"] = "256Mi" },
    };

    private static ReplicationMesh Mesh(string name = "notes", TlsSpec? tls = null, string? auth = "notes-token", string app = "notes") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
        Spec = new ReplicationMeshSpec
        {
            Selector = new Contracts.Mesh.LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = app } },
            Tls = tls,
            AuthSecretRef = auth is null ? null : new SecretReference { Name = auth },
        },
    };

    private static V1Pod Pod(Dictionary<string, string>? annotations = null, string mountPath = "/data", bool label = true, IList<V1Container>? init = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "notes-0",
            Labels = label ? new Dictionary<string, string> { ["app"] = "notes", [InjectionKeys.Inject] = "true" } : new Dictionary<string, string> { ["app"] = "notes" },
            Annotations = annotations ?? new Dictionary<string, string> { [InjectionKeys.Database] = "/data/app.db" },
        },
        Spec = new V1PodSpec
        {
            InitContainers = init,
            Containers =
            [
                new V1Container
                {
                    Name = "app",
                    Image = "app:1",
                    VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = mountPath }, new V1VolumeMount { Name = "cache", MountPath = "/cache" }],
                },
            ],
            Volumes = [new V1Volume { Name = "data", EmptyDir = new V1EmptyDirVolumeSource() }, new V1Volume { Name = "cache", EmptyDir = new V1EmptyDirVolumeSource() }],
        },
    };

    private static (V1Pod Pod, V1Container Sidecar) Inject(V1Pod pod, InjectionOptions? options = null, params ReplicationMesh[] meshes)
    {
        var decision = SidecarInjector.Decide(pod, Ns, meshes.Length == 0 ? [Mesh()] : meshes, meshesKnown: true, options ?? Options);
        Assert.True(decision.Allowed, decision.Message);
        Assert.NotEmpty(decision.Patch);
        var patched = PatchedPod.Apply(pod, decision.Patch);
        var sidecar = (patched.Spec.InitContainers ?? []).Concat(patched.Spec.Containers).Single(c => c.Name == InjectionKeys.ContainerName);
        return (patched, sidecar);
    }

    private static string Denial(V1Pod pod, params ReplicationMesh[] meshes)
    {
        var decision = SidecarInjector.Decide(pod, Ns, meshes.Length == 0 ? [Mesh()] : meshes, meshesKnown: true, Options);
        Assert.False(decision.Allowed);
        Assert.Empty(decision.Patch);
        return decision.Message!;
    }

    private static string Arg(V1Container c, string flag) => c.Args[c.Args.IndexOf(flag) + 1];

    [Fact]
    public void Native_IsAnInitContainerThatAlwaysRestarts_AfterThePodsOwnInitContainers()
    {
        var (pod, sidecar) = Inject(Pod(init: [new V1Container { Name = "restore", Image = "restore:1" }]));

        Assert.Equal(["restore", InjectionKeys.ContainerName], pod.Spec.InitContainers.Select(c => c.Name));
        Assert.Equal("Always", sidecar.RestartPolicy);
        Assert.Equal(["app"], pod.Spec.Containers.Select(c => c.Name));
        Assert.Equal(Options.Image, sidecar.Image);
    }

    [Fact]
    public void Native_WithoutInitContainers_CreatesTheList()
    {
        var (pod, _) = Inject(Pod());
        Assert.Equal([InjectionKeys.ContainerName], pod.Spec.InitContainers.Select(c => c.Name));
    }

    [Fact]
    public void Classic_IsARegularContainerBesideTheApp()
    {
        var (pod, sidecar) = Inject(Pod(), Options with { Mode = SidecarMode.Classic });

        Assert.Null(pod.Spec.InitContainers);
        Assert.Equal(["app", InjectionKeys.ContainerName], pod.Spec.Containers.Select(c => c.Name));
        Assert.Null(sidecar.RestartPolicy);
    }

    [Fact]
    public void Sidecar_HasNamedPortsProbesResourcesAndARestrictedSecurityContext()
    {
        var (_, sidecar) = Inject(Pod());

        Assert.Equal([("k8srepl", 8900), ("k8srepl-admin", 8901)], sidecar.Ports.Select(p => (p.Name, p.ContainerPort)));
        Assert.Equal("/startupz", sidecar.StartupProbe.HttpGet.Path);
        Assert.Equal("/readyz", sidecar.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/livez", sidecar.LivenessProbe.HttpGet.Path);
        Assert.All([sidecar.StartupProbe, sidecar.ReadinessProbe, sidecar.LivenessProbe], p => Assert.Equal("k8srepl-admin", p.HttpGet.Port.Value));
        Assert.Equal("50m", sidecar.Resources.Requests["cpu"].ToString());
        Assert.Equal("256Mi", sidecar.Resources.Limits["memory"].ToString());
        Assert.False(sidecar.SecurityContext.AllowPrivilegeEscalation);
        Assert.True(sidecar.SecurityContext.ReadOnlyRootFilesystem);
        Assert.True(sidecar.SecurityContext.RunAsNonRoot);
        Assert.Equal(["ALL"], sidecar.SecurityContext.Capabilities.Drop);
        Assert.Equal("metadata.name", Assert.Single(sidecar.Env, e => e.Name == "POD_NAME").ValueFrom.FieldRef.FieldPath);
        Assert.Equal("0.0.0.0:8900", Arg(sidecar, "--listen"));
        Assert.Equal("0.0.0.0:8901", Arg(sidecar, "--admin-listen"));
    }

    [Fact]
    public void MeshPorts_AreUsedForTheContainerPortsAndListeners()
    {
        var mesh = Mesh();
        mesh.Spec = mesh.Spec! with { ReplicationPort = 7000, AdminPort = 7001 };
        var (_, sidecar) = Inject(Pod(), null, mesh);
        Assert.Equal([7000, 7001], sidecar.Ports.Select(p => p.ContainerPort));
        Assert.Equal("0.0.0.0:7001", Arg(sidecar, "--admin-listen"));
    }

    [Fact]
    public void DatabaseVolume_IsMountedAtTheAppsPath_AndTheConfigMapAndStateDirFollow()
    {
        var (pod, sidecar) = Inject(Pod(new Dictionary<string, string> { [InjectionKeys.Database] = "/var/lib/app/db/app.db" }, mountPath: "/var/lib/app/"));

        var data = Assert.Single(sidecar.VolumeMounts, m => m.Name == "data");
        Assert.Equal("/var/lib/app/", data.MountPath);
        Assert.DoesNotContain(sidecar.VolumeMounts, m => m.Name == "cache");
        Assert.Equal("/var/lib/app/db/app.db", Arg(sidecar, "--database"));
        Assert.Equal("/var/lib/app/db/.k8srepl", Arg(sidecar, "--state-dir"));
        Assert.Equal("/etc/k8srepl/config/$(POD_NAME).json", Arg(sidecar, "--config"));
        var config = Assert.Single(pod.Spec.Volumes, v => v.Name == InjectionKeys.ConfigVolume);
        Assert.Equal(MeshResource.ConfigMapName("notes"), config.ConfigMap.Name);
        Assert.True(config.ConfigMap.Optional);
        Assert.Equal("notes", pod.Metadata.Annotations[InjectionKeys.Mesh]);
    }

    [Fact]
    public void DatabaseOutsideEveryMount_IsRefusedNamingTheAnnotation()
    {
        var message = Denial(Pod(new Dictionary<string, string> { [InjectionKeys.Database] = "/srv/app.db" }));
        Assert.Contains(InjectionKeys.Database, message, StringComparison.Ordinal);
        Assert.Contains("/srv/app.db", message, StringComparison.Ordinal);

        // "/database" is not inside "/data".
        Assert.Contains(InjectionKeys.Database, Denial(Pod(new Dictionary<string, string> { [InjectionKeys.Database] = "/database/app.db" })), StringComparison.Ordinal);
    }

    [Fact]
    public void TlsOperatorMode_MountsTheMembersSecret_AndPassesThePodsOwnFiles()
    {
        // No tls section: mode Operator.
        var (pod, sidecar) = Inject(Pod());

        var tls = Assert.Single(pod.Spec.Volumes, v => v.Name == InjectionKeys.TlsVolume);
        Assert.Equal("notes-member-tls", tls.Secret.SecretName);
        Assert.Equal("/etc/k8srepl/tls", Assert.Single(sidecar.VolumeMounts, m => m.Name == InjectionKeys.TlsVolume).MountPath);
        Assert.Equal("/etc/k8srepl/tls/$(POD_NAME).crt", Arg(sidecar, "--tls-cert"));
        Assert.Equal("/etc/k8srepl/tls/$(POD_NAME).key", Arg(sidecar, "--tls-key"));
        Assert.Equal("/etc/k8srepl/tls/ca.crt", Arg(sidecar, "--tls-ca"));
    }

    [Fact]
    public void TlsSecretMode_MountsTheUsersSecret_WithTheKubernetesTlsKeys()
    {
        var mesh = Mesh(tls: new TlsSpec { Mode = TlsMode.Secret, SecretRef = new TlsSecretReference { Name = "notes-certs" } });
        var (pod, sidecar) = Inject(Pod(), null, mesh);

        Assert.Equal("notes-certs", Assert.Single(pod.Spec.Volumes, v => v.Name == InjectionKeys.TlsVolume).Secret.SecretName);
        Assert.Equal("/etc/k8srepl/tls/tls.crt", Arg(sidecar, "--tls-cert"));
        Assert.Equal("/etc/k8srepl/tls/tls.key", Arg(sidecar, "--tls-key"));
        Assert.Equal("/etc/k8srepl/tls/ca.crt", Arg(sidecar, "--tls-ca"));
    }

    [Fact]
    public void RedisTransportWithASecret_MountsOnlyItsPasswordKey_AndPassesThePasswordFile()
    {
        var mesh = Mesh();
        mesh.Spec = mesh.Spec! with
        {
            HotPath = new HotPathSpec
            {
                Transport = HotPathTransport.Redis,
                Redis = new RedisTransportSpec { Url = "redis://redis.shop:6379", SecretRef = new RedisSecretReference { Name = "redis-auth" } },
            },
        };
        var (pod, sidecar) = Inject(Pod(), null, mesh);

        var volume = Assert.Single(pod.Spec.Volumes, v => v.Name == InjectionKeys.RedisVolume);
        Assert.Equal("redis-auth", volume.Secret.SecretName);
        Assert.Equal(256, volume.Secret.DefaultMode);
        Assert.Equal(["password"], volume.Secret.Items.Select(i => i.Key));
        Assert.Equal("/etc/k8srepl/redis", Assert.Single(sidecar.VolumeMounts, m => m.Name == InjectionKeys.RedisVolume).MountPath);
        Assert.Equal("/etc/k8srepl/redis/password", Arg(sidecar, "--redis-password-file"));

        // The url and the rest come from the config file; on the HTTP transport nothing of Redis is mounted.
        Assert.DoesNotContain("--redis-url", sidecar.Args);
        var (plain, plainSidecar) = Inject(Pod());
        Assert.DoesNotContain(plain.Spec.Volumes, v => v.Name == InjectionKeys.RedisVolume);
        Assert.DoesNotContain("--redis-password-file", plainSidecar.Args);
    }

    [Fact]
    public void TlsDisabled_MountsNoCertificates()
    {
        var (pod, sidecar) = Inject(Pod(), null, Mesh(tls: new TlsSpec { Mode = TlsMode.Disabled }));

        Assert.DoesNotContain(pod.Spec.Volumes, v => v.Name == InjectionKeys.TlsVolume);
        Assert.DoesNotContain("--tls-cert", sidecar.Args);
        Assert.DoesNotContain(sidecar.VolumeMounts, m => m.Name == InjectionKeys.TlsVolume);
    }

    [Fact]
    public void AuthSecret_IsMountedOwnerReadOnly_WithOnlyTheTokenKey()
    {
        var (pod, sidecar) = Inject(Pod());

        var token = Assert.Single(pod.Spec.Volumes, v => v.Name == InjectionKeys.TokenVolume).Secret;
        Assert.Equal("notes-token", token.SecretName);
        Assert.Equal(256, token.DefaultMode);
        Assert.Equal([("token", "token")], token.Items.Select(i => (i.Key, i.Path)));
        Assert.Equal("/var/run/secrets/k8srepl/token", Arg(sidecar, "--token-file"));

        var (withoutAuth, plain) = Inject(Pod(), null, Mesh(auth: null));
        Assert.DoesNotContain(withoutAuth.Spec.Volumes, v => v.Name == InjectionKeys.TokenVolume);
        Assert.DoesNotContain("--token-file", plain.Args);
    }

    [Fact]
    public void APodThatAlreadyHasTheSidecar_IsLeftUnchanged()
    {
        var (injected, _) = Inject(Pod());

        var again = SidecarInjector.Decide(injected, Ns, [Mesh()], meshesKnown: true, Options);
        Assert.True(again.Allowed);
        Assert.Empty(again.Patch);
    }

    [Fact]
    public void PodsThatDoNotOptIn_AreLeftUnchanged()
    {
        foreach (var pod in new[] { Pod(label: false), Pod(new Dictionary<string, string> { [InjectionKeys.Inject] = "false" }, label: false) })
        {
            var decision = SidecarInjector.Decide(pod, Ns, [Mesh()], meshesKnown: true, Options);
            Assert.True(decision.Allowed);
            Assert.Empty(decision.Patch);
        }
    }

    [Fact]
    public void TheAnnotationAlone_OptsIn()
    {
        Inject(Pod(new Dictionary<string, string> { [InjectionKeys.Inject] = "true", [InjectionKeys.Database] = "/data/app.db" }, label: false));
    }

    [Theory]
    [InlineData("yes", InjectionKeys.Inject)]
    [InlineData("True", InjectionKeys.Inject)]
    public void AnInjectValueOtherThanTrueOrFalse_IsRefusedNamingIt(string value, string key)
    {
        var message = Denial(Pod(new Dictionary<string, string> { [InjectionKeys.Inject] = value, [InjectionKeys.Database] = "/data/app.db" }));
        Assert.StartsWith($"annotation {key}:", message, StringComparison.Ordinal);
        Assert.Contains(value, message, StringComparison.Ordinal);
    }

    [Fact]
    public void ContradictingLabelAndAnnotation_AreRefused()
    {
        var message = Denial(Pod(new Dictionary<string, string> { [InjectionKeys.Inject] = "false", [InjectionKeys.Database] = "/data/app.db" }));
        Assert.Contains($"label {InjectionKeys.Inject}", message, StringComparison.Ordinal);
        Assert.Contains($"annotation {InjectionKeys.Inject}", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data/app.db", "is not an absolute path")]
    [InlineData("/data/", "does not end in a file name")]
    [InlineData("/data/../etc/app.db", "is not normalised")]
    [InlineData("/data//app.db", "is not normalised")]
    [InlineData("/app.db", "root folder")]
    public void ABadDatabasePath_IsRefusedNamingTheAnnotation(string path, string why)
    {
        var message = Denial(Pod(new Dictionary<string, string> { [InjectionKeys.Database] = path }));
        Assert.StartsWith($"annotation {InjectionKeys.Database}:", message, StringComparison.Ordinal);
        Assert.Contains(why, message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingDatabaseAnnotation_IsRefusedNamingIt()
    {
        var message = Denial(Pod([]));
        Assert.StartsWith($"annotation {InjectionKeys.Database}: required", message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownAnnotationOfOurs_IsRefusedNamingIt()
    {
        var message = Denial(Pod(new Dictionary<string, string> { [InjectionKeys.Database] = "/data/app.db", ["replication.k8srepl.dev/databse"] = "/data/app.db" }));
        Assert.StartsWith("annotation replication.k8srepl.dev/databse: unknown", message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoSelectingMesh_IsRefused_AndSeveral_AskForTheMeshAnnotation()
    {
        Assert.Contains("no ReplicationMesh in namespace shop selects", Denial(Pod(), Mesh(app: "other")), StringComparison.Ordinal);

        var several = Denial(Pod(), Mesh("a"), Mesh("b"));
        Assert.Contains("a, b", several, StringComparison.Ordinal);
        Assert.Contains(InjectionKeys.Mesh, several, StringComparison.Ordinal);

        var (pod, _) = Inject(Pod(new Dictionary<string, string> { [InjectionKeys.Database] = "/data/app.db", [InjectionKeys.Mesh] = "b" }), null, Mesh("a"), Mesh("b"));
        Assert.Equal("b-sidecar-config", pod.Spec.Volumes.Single(v => v.Name == InjectionKeys.ConfigVolume).ConfigMap.Name);

        var wrong = Denial(Pod(new Dictionary<string, string> { [InjectionKeys.Database] = "/data/app.db", [InjectionKeys.Mesh] = "c" }), Mesh("a"), Mesh("b"));
        Assert.StartsWith($"annotation {InjectionKeys.Mesh}:", wrong, StringComparison.Ordinal);
    }

    [Fact]
    public void MeshesNotLoadedYet_IsATemporaryRefusal()
    {
        var decision = SidecarInjector.Decide(Pod(), Ns, [], meshesKnown: false, Options);
        Assert.False(decision.Allowed);
        Assert.Equal(503, decision.Code);
    }

    [Fact]
    public void AVolumeNameTheSidecarNeeds_AlreadyTaken_IsRefusedNamingIt()
    {
        var pod = Pod();
        pod.Spec.Volumes.Add(new V1Volume { Name = InjectionKeys.ConfigVolume, EmptyDir = new V1EmptyDirVolumeSource() });
        Assert.StartsWith($"volume {InjectionKeys.ConfigVolume}:", Denial(pod), StringComparison.Ordinal);
    }
}
