using System.Text.Json.Nodes;

namespace K8sReplication.TestKit.Kube.Resources;

/// <summary>
/// Every servable resource by group/version/plural: the built-ins plus whatever the stored CRDs define. Registration
/// happens inside the store's write lock, so readers see a CRD's resources once its create has committed.
/// </summary>
internal sealed class ResourceCatalog
{
    private readonly Lock _gate = new();
    private readonly List<ResourceType> _builtIns = [.. BuiltInResources.All];
    private readonly Dictionary<string, IReadOnlyList<ResourceType>> _byCrd = new(StringComparer.Ordinal);

    public ResourceType? Find(string group, string version, string plural)
    {
        foreach (var type in Snapshot())
        {
            if (type.Group == group && type.Version == version && type.Plural == plural)
            {
                return type;
            }
        }

        return null;
    }

    public ResourceType? FindByStorageKey(string storageKey) => Snapshot().FirstOrDefault(t => t.StorageKey == storageKey);

    public IReadOnlyList<ResourceType> Snapshot()
    {
        lock (_gate)
        {
            var all = new List<ResourceType>(_builtIns);
            foreach (var types in _byCrd.Values)
            {
                all.AddRange(types);
            }

            return all;
        }
    }

    /// <summary>Groups in discovery order: core first, then built-in groups, then CRD groups; versions keep CRD order.</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups()
    {
        var result = new List<(string, IReadOnlyList<string>)>();
        foreach (var type in Snapshot())
        {
            var index = result.FindIndex(g => g.Item1 == type.Group);
            if (index < 0)
            {
                result.Add((type.Group, new List<string> { type.Version }));
            }
            else if (!result[index].Item2.Contains(type.Version))
            {
                ((List<string>)result[index].Item2).Add(type.Version);
            }
        }

        return result;
    }

    public void RegisterCrd(JsonObject crd)
    {
        var name = crd["metadata"]?["name"]?.GetValue<string>() ?? "";
        var types = CrdTranslator.ToResourceTypes(crd);
        lock (_gate)
        {
            _byCrd[name] = types;
        }
    }

    public void UnregisterCrd(string name)
    {
        lock (_gate)
        {
            _byCrd.Remove(name);
        }
    }
}
