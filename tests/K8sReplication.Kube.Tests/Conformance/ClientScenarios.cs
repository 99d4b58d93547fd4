using System.Text.Json;
using k8s.Models;

namespace K8sReplication.Kube.Tests.Conformance;

/// <summary>
/// Client scenarios written once and run against the emulator and, when configured, a real cluster. They only use
/// what every API server does (no fault injection), so a difference between the two targets is an emulator bug.
/// </summary>
public static partial class ClientScenarios
{
    public static readonly IReadOnlyDictionary<string, Func<ClientTarget, Task>> All = new Dictionary<string, Func<ClientTarget, Task>>
    {
        ["Crud"] = Crud,
        ["Selectors"] = Selectors,
        ["Paging"] = Paging,
        ["Conflicts"] = Conflicts,
        ["StatusSubresource"] = StatusSubresource,
        ["FinalizerFlow"] = FinalizerFlow,
        ["OwnedObjectsAreCollected"] = OwnedObjectsAreCollected,
        ["WatchResumesWithoutGapsOrDuplicates"] = WatchResumesWithoutGapsOrDuplicates,
        ["LeaderHandOver"] = LeaderHandOver,
        ["EventsAreDeduplicated"] = EventsAreDeduplicated,
        ["SecretsRoundTrip"] = SecretsRoundTrip,
    };

    public static IEnumerable<object[]> Names => All.Keys.Select(k => new object[] { k });

    internal static V1ConfigMap Cm(string name, IDictionary<string, string>? labels = null, IDictionary<string, string>? data = null) =>
        new() { Metadata = new V1ObjectMeta { Name = name, Labels = labels }, Data = data };

    /// <summary>A JSON merge patch of <paramref name="patch"/> (an anonymous object; null values delete).</summary>
    internal static V1Patch MergePatch(object patch) => new(JsonSerializer.Serialize(patch), V1Patch.PatchType.MergePatch);
}
