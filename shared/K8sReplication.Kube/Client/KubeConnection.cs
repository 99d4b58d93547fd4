using k8s;
using k8s.Authentication;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace K8sReplication.Kube.Client;

/// <summary>
/// One process's connection to the API server: the official client, loaded the way kubectl loads its configuration
/// (the kubeconfig forms the client supports: token, client certificates, CA, tls-server-name, exec credential plugins,
/// contexts, namespace; plus <c>tokenFile</c>, which it does not read and <see cref="KubeconfigTokenFile"/> adds; or the
/// pod's service account, whose token the client re-reads as it rotates), with <see cref="RetryHandler"/> in front of
/// every call.
/// </summary>
public sealed class KubeConnection : IDisposable
{
    private KubeConnection(Kubernetes client, KubernetesClientConfiguration config)
    {
        Client = client;
        Config = config;
    }

    public Kubernetes Client { get; }

    public KubernetesClientConfiguration Config { get; }

    /// <summary>The context's namespace (the pod's own in a cluster), else <c>default</c>.</summary>
    public string DefaultNamespace => string.IsNullOrEmpty(Config.Namespace) ? "default" : Config.Namespace;

    /// <summary>Connects with <paramref name="config"/> (see <see cref="LoadConfig"/>).</summary>
    public static KubeConnection Open(KubernetesClientConfiguration config, KubeConnectionOptions? options = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        options ??= new KubeConnectionOptions();
        config.UserAgent = options.UserAgent;
        config.HttpClientTimeout = options.RequestTimeout;
        var client = new Kubernetes(config, new RetryHandler(options.Retry, time ?? TimeProvider.System));
        return new KubeConnection(client, config);
    }

    /// <summary>
    /// The configuration kubectl would use: <paramref name="kubeconfig"/> when given, else the files of
    /// <c>KUBECONFIG</c> (merged, the first to name a cluster, user or context wins), else <c>~/.kube/config</c>, else
    /// the pod's service account when running in a cluster. <paramref name="context"/> picks a context.
    /// </summary>
    /// <exception cref="KubeConfigException">
    /// Nothing to load, or the file is not a usable kubeconfig; a failing exec credential plugin is named with its user.
    /// </exception>
    public static KubernetesClientConfiguration LoadConfig(string? kubeconfig, string? context = null)
    {
        K8SConfiguration? file = null;
        try
        {
            FileInfo[] files = kubeconfig is not null
                ? [new FileInfo(kubeconfig)]
                : (Environment.GetEnvironmentVariable("KUBECONFIG") ?? "")
                    .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                    .Select(f => new FileInfo(f))
                    .Where(f => f.Exists)
                    .DefaultIfEmpty(new FileInfo(KubernetesClientConfiguration.KubeConfigDefaultLocation))
                    .Where(f => f.Exists || kubeconfig is not null)
                    .ToArray();
            if (files.Length == 0)
            {
                return KubernetesClientConfiguration.IsInCluster()
                    ? KubernetesClientConfiguration.InClusterConfig()
                    : throw new KubeConfigException("no kubeconfig: pass --kubeconfig, set KUBECONFIG or create ~/.kube/config");
            }

            file = files.Length == 1 ? KubernetesClientConfiguration.LoadKubeConfig(files[0], useRelativePaths: true) : Merge(files);
            // kubectl's user.tokenFile, which the client's kubeconfig model does not read: the file's token stands in
            // while the configuration is built, then the client re-reads the file itself (at most a minute old), so a
            // rotated token is picked up without a restart.
            var tokenFile = KubeconfigTokenFile.Find(files, file, context, out var user);
            if (tokenFile is not null)
            {
                user!.UserCredentials ??= new UserCredentials();
                user.UserCredentials.Token = File.ReadAllText(tokenFile).Trim();
            }

            var config = KubernetesClientConfiguration.BuildConfigFromConfigObject(file, context);
            if (tokenFile is not null)
            {
                config.AccessToken = null;
                config.TokenProvider = new TokenFileAuth(tokenFile);
            }

            return config;
        }
        catch (KubeConfigException e) when (file is not null && ExecPlugin(file, context) is { } plugin)
        {
            throw new KubeConfigException($"{plugin}: {e.Message}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException or ArgumentException)
        {
            throw new KubeConfigException(e.Message, e);
        }
    }

    /// <summary>"user U: exec credential plugin C" for the context's user when it has an exec plugin, else null.</summary>
    private static string? ExecPlugin(K8SConfiguration file, string? context)
    {
        var contextName = context ?? file.CurrentContext;
        var userName = file.Contexts?.FirstOrDefault(c => c.Name == contextName)?.ContextDetails?.User;
        var command = file.Users?.FirstOrDefault(u => u.Name == userName)?.UserCredentials?.ExternalExecution?.Command;
        return command is null ? null : $"user {userName}: exec credential plugin {command}";
    }

    /// <summary>Several kubeconfig files merged as kubectl merges them: the first file that names an entry wins.</summary>
    private static K8SConfiguration Merge(FileInfo[] files)
    {
        var configs = files.Select(f => KubernetesClientConfiguration.LoadKubeConfig(f, useRelativePaths: true)).ToList();
        return new K8SConfiguration
        {
            ApiVersion = "v1",
            Kind = "Config",
            CurrentContext = configs.Select(c => c.CurrentContext).FirstOrDefault(c => !string.IsNullOrEmpty(c)),
            Clusters = configs.SelectMany(c => c.Clusters ?? []).DistinctBy(c => c.Name).ToList(),
            Users = configs.SelectMany(c => c.Users ?? []).DistinctBy(u => u.Name).ToList(),
            Contexts = configs.SelectMany(c => c.Contexts ?? []).DistinctBy(c => c.Name).ToList(),
        };
    }

    public void Dispose() => Client.Dispose();
}
