using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace K8sReplication.Kube.Config;

internal static class KubeconfigLoader
{
    public static KubeClientConfig Load(string? path, string? contextOverride, Func<string, string?> env)
    {
        var doc = Read(FindFiles(path, env));
        var files = string.Join(", ", doc.Files);
        var contextName = string.IsNullOrEmpty(contextOverride) ? doc.CurrentContext : contextOverride;
        if (string.IsNullOrEmpty(contextName))
        {
            throw new KubeConfigException($"kubeconfig {files}: current-context is not set and no context was given");
        }

        var context = doc.Context(contextName)
            ?? throw new KubeConfigException($"kubeconfig {files}: context '{contextName}' is not defined in contexts");
        var clusterName = context.Get("cluster");
        if (string.IsNullOrEmpty(clusterName))
        {
            throw new KubeConfigException(context.Field("cluster") + " is missing");
        }

        var cluster = doc.Cluster(clusterName)
            ?? throw new KubeConfigException($"{context.Field("cluster")}: cluster '{clusterName}' is not defined in clusters");
        var userName = context.Get("user");
        var user = string.IsNullOrEmpty(userName) ? null : doc.User(userName)
            ?? throw new KubeConfigException($"{context.Field("user")}: user '{userName}' is not defined in users");

        var server = cluster.Get("server");
        if (string.IsNullOrEmpty(server))
        {
            throw new KubeConfigException(cluster.Field("server") + " is missing");
        }

        if (!Uri.TryCreate(server, UriKind.Absolute, out var serverUri) || (serverUri.Scheme != "https" && serverUri.Scheme != "http"))
        {
            throw new KubeConfigException($"{cluster.Field("server")} '{server}' is not an http(s) URL");
        }

        var ns = context.Get("namespace");
        return new KubeClientConfig
        {
            Server = serverUri,
            Namespace = string.IsNullOrEmpty(ns) ? "default" : ns,
            CertificateAuthorities = ReadAuthorities(cluster),
            InsecureSkipTlsVerify = ParseBool(cluster, "insecure-skip-tls-verify"),
            ClientCertificate = user is null ? null : ReadClientCertificate(user),
            BearerToken = user?.Get("token"),
            BearerTokenFile = user?.GetPath("tokenFile"),
            Source = $"kubeconfig {files}, context {contextName}",
        };
    }

    private static List<string> FindFiles(string? path, Func<string, string?> env)
    {
        if (!string.IsNullOrEmpty(path))
        {
            return File.Exists(path) ? [path] : throw new KubeConfigException($"kubeconfig {path} does not exist");
        }

        var list = env("KUBECONFIG");
        if (!string.IsNullOrEmpty(list))
        {
            var candidates = list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

            // kubectl ignores listed files that do not exist, as long as one does.
            var existing = candidates.Where(File.Exists).Distinct(StringComparer.Ordinal).ToList();
            return existing.Count > 0 ? existing : throw new KubeConfigException($"KUBECONFIG={list}: none of the listed files exists");
        }

        var home = env("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var fallback = Path.Combine(home, ".kube", "config");
        return File.Exists(fallback)
            ? [fallback]
            : throw new KubeConfigException($"no Kubernetes configuration: KUBECONFIG is not set and {fallback} does not exist");
    }

    private static KubeconfigDocument Read(List<string> files)
    {
        var doc = new KubeconfigDocument();
        foreach (var file in files)
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (IOException ex)
            {
                throw new KubeConfigException($"kubeconfig {file}: cannot be read: {ex.Message}", ex);
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new KubeConfigException($"kubeconfig {file}: cannot be read: {ex.Message}", ex);
            }

            doc.Add(Path.GetFullPath(file), text);
        }

        return doc;
    }

    private static bool ParseBool(KubeconfigEntry entry, string key)
    {
        var value = entry.Get(key);
        return value switch
        {
            null or "" => false,
            "true" or "True" => true,
            "false" or "False" => false,
            _ => throw new KubeConfigException($"{entry.Field(key)} '{value}' is not true or false"),
        };
    }

    private static X509Certificate2Collection? ReadAuthorities(KubeconfigEntry cluster)
    {
        var pem = ReadPem(cluster, "certificate-authority-data", "certificate-authority");
        if (pem is null)
        {
            return null;
        }

        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(pem.Value.Text);
        }
        catch (CryptographicException ex)
        {
            throw new KubeConfigException($"{pem.Value.Field} is not a valid PEM certificate: {ex.Message}", ex);
        }

        return collection.Count > 0 ? collection : throw new KubeConfigException($"{pem.Value.Field} contains no PEM certificate");
    }

    private static X509Certificate2? ReadClientCertificate(KubeconfigEntry user)
    {
        if (user.Has("exec") || user.Has("auth-provider"))
        {
            throw new KubeConfigException(
                $"{user.Field(user.Has("exec") ? "exec" : "auth-provider")}: credential plugins are not supported; use a token, tokenFile or client certificate");
        }

        var cert = ReadPem(user, "client-certificate-data", "client-certificate");
        var key = ReadPem(user, "client-key-data", "client-key");
        if (cert is null && key is null)
        {
            return null;
        }

        if (cert is null || key is null)
        {
            var missing = cert is null ? "client-certificate(-data)" : "client-key(-data)";
            throw new KubeConfigException($"{user.Field(missing)} is missing (a client certificate needs both certificate and key)");
        }

        try
        {
            return X509Certificate2.CreateFromPem(cert.Value.Text, key.Value.Text);
        }
        catch (CryptographicException ex)
        {
            throw new KubeConfigException($"{cert.Value.Field} / {key.Value.Field}: not a valid PEM certificate and key: {ex.Message}", ex);
        }
    }

    /// <summary>The PEM text of an inline base64 field or of a file field (inline wins, like kubectl).</summary>
    private static (string Text, string Field)? ReadPem(KubeconfigEntry entry, string dataKey, string fileKey)
    {
        var data = entry.Get(dataKey);
        if (!string.IsNullOrEmpty(data))
        {
            try
            {
                return (Encoding.UTF8.GetString(Convert.FromBase64String(data.Trim())), entry.Field(dataKey));
            }
            catch (FormatException ex)
            {
                throw new KubeConfigException($"{entry.Field(dataKey)} is not valid base64", ex);
            }
        }

        var file = entry.GetPath(fileKey);
        if (file is null)
        {
            return null;
        }

        try
        {
            return (File.ReadAllText(file), entry.Field(fileKey) + $" ({file})");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new KubeConfigException($"{entry.Field(fileKey)}: cannot read {file}: {ex.Message}", ex);
        }
    }
}
