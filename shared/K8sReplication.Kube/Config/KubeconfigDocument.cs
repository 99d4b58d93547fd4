using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace K8sReplication.Kube.Config;

/// <summary>
/// The merged view of one or more kubeconfig files, read with YamlDotNet's representation model (no reflection, so
/// AOT-safe). Merging follows kubectl: the first file to define a cluster/context/user name, or current-context, wins.
/// Each entry remembers its file so relative paths resolve against that file's folder.
/// </summary>
internal sealed class KubeconfigDocument
{
    private readonly Dictionary<string, KubeconfigEntry> _clusters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KubeconfigEntry> _contexts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KubeconfigEntry> _users = new(StringComparer.Ordinal);

    public string? CurrentContext { get; private set; }

    public List<string> Files { get; } = [];

    public void Add(string file, string text)
    {
        Files.Add(file);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new KubeConfigException($"kubeconfig {file}: not valid YAML at line {ex.Start.Line}: {ex.Message}", ex);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return; // an empty file contributes nothing, like kubectl
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new KubeConfigException($"kubeconfig {file}: the top level must be a mapping");
        }

        var current = Scalar(root, "current-context", file);
        if (string.IsNullOrEmpty(CurrentContext) && !string.IsNullOrEmpty(current))
        {
            CurrentContext = current;
        }

        AddNamed(root, "clusters", "cluster", file, _clusters);
        AddNamed(root, "contexts", "context", file, _contexts);
        AddNamed(root, "users", "user", file, _users);
    }

    public KubeconfigEntry? Cluster(string name) => _clusters.GetValueOrDefault(name);

    public KubeconfigEntry? Context(string name) => _contexts.GetValueOrDefault(name);

    public KubeconfigEntry? User(string name) => _users.GetValueOrDefault(name);

    private static void AddNamed(YamlMappingNode root, string listKey, string bodyKey, string file, Dictionary<string, KubeconfigEntry> into)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode(listKey), out var node) || node is YamlScalarNode { Value: null or "" })
        {
            return;
        }

        if (node is not YamlSequenceNode list)
        {
            throw new KubeConfigException($"kubeconfig {file}: {listKey} must be a list");
        }

        var index = 0;
        foreach (var item in list)
        {
            var where = $"{listKey}[{index++}]";
            if (item is not YamlMappingNode entry)
            {
                throw new KubeConfigException($"kubeconfig {file}: {where} must be a mapping");
            }

            var name = Scalar(entry, "name", file);
            if (string.IsNullOrEmpty(name))
            {
                throw new KubeConfigException($"kubeconfig {file}: {where}.name is missing");
            }

            var body = entry.Children.TryGetValue(new YamlScalarNode(bodyKey), out var b) ? b as YamlMappingNode : null;
            if (body is null)
            {
                throw new KubeConfigException($"kubeconfig {file}: {listKey}[name={name}].{bodyKey} is missing or not a mapping");
            }

            into.TryAdd(name, new KubeconfigEntry(name, file, $"{listKey}[name={name}].{bodyKey}", body));
        }
    }

    internal static string? Scalar(YamlMappingNode map, string key, string file)
    {
        if (!map.Children.TryGetValue(new YamlScalarNode(key), out var node))
        {
            return null;
        }

        return node switch
        {
            YamlScalarNode s => s.Value,
            _ => throw new KubeConfigException($"kubeconfig {file}: {key} must be a string"),
        };
    }
}
