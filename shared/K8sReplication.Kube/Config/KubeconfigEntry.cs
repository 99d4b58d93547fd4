using YamlDotNet.RepresentationModel;

namespace K8sReplication.Kube.Config;

/// <summary>One named cluster, context or user of a kubeconfig, with the file and path it came from.</summary>
internal sealed record KubeconfigEntry(string Name, string File, string Where, YamlMappingNode Body)
{
    public string? Get(string key) => KubeconfigDocument.Scalar(Body, key, File);

    public bool Has(string key) => Body.Children.ContainsKey(new YamlScalarNode(key));

    /// <summary>A path from this entry, resolved against the folder of the file that defined it.</summary>
    public string? GetPath(string key)
    {
        var value = Get(key);
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return Path.IsPathRooted(value) ? value : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(File) ?? ".", value));
    }

    public string Field(string key) => $"kubeconfig {File}: {Where}.{key}";
}
