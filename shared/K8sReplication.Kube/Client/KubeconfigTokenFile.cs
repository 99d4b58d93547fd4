using k8s.KubeConfigModels;
using YamlDotNet.RepresentationModel;

namespace K8sReplication.Kube.Client;

/// <summary>
/// The <c>tokenFile</c> of a kubeconfig user, which kubectl honours and the official client's kubeconfig model does
/// not read. As kubectl: a <c>token</c> wins over it, the first file (in KUBECONFIG order) that defines the user wins,
/// and a relative path is relative to that file's folder.
/// </summary>
internal static class KubeconfigTokenFile
{
    /// <summary>The absolute path of the context's user's tokenFile, or null; <paramref name="user"/> is that user.</summary>
    public static string? Find(IReadOnlyList<FileInfo> files, K8SConfiguration merged, string? context, out User? user)
    {
        var contextName = context ?? merged.CurrentContext;
        var userName = merged.Contexts?.FirstOrDefault(c => c.Name == contextName)?.ContextDetails?.User;
        user = merged.Users?.FirstOrDefault(u => u.Name == userName);
        if (user is null || !string.IsNullOrEmpty(user.UserCredentials?.Token))
        {
            return null;
        }

        foreach (var file in files)
        {
            if (UserEntry(file, user.Name) is { } entry)
            {
                return entry.Children.TryGetValue(new YamlScalarNode("tokenFile"), out var path) && path is YamlScalarNode { Value: { Length: > 0 } value }
                    ? Path.GetFullPath(value, file.DirectoryName ?? ".")
                    : null;
            }
        }

        return null;
    }

    /// <summary>The <c>user:</c> mapping of the named user in one kubeconfig file, or null when the file does not define it.</summary>
    private static YamlMappingNode? UserEntry(FileInfo file, string name)
    {
        var yaml = new YamlStream();
        using (var reader = file.OpenText())
        {
            yaml.Load(reader);
        }

        if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("users"), out var users) || users is not YamlSequenceNode list)
        {
            return null;
        }

        foreach (var item in list.Children.OfType<YamlMappingNode>())
        {
            if (item.Children.TryGetValue(new YamlScalarNode("name"), out var n) && n is YamlScalarNode { Value: var userName } && userName == name)
            {
                return item.Children.TryGetValue(new YamlScalarNode("user"), out var u) && u is YamlMappingNode mapping ? mapping : new YamlMappingNode();
            }
        }

        return null;
    }
}
