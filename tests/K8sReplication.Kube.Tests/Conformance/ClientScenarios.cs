using K8sReplication.Kube.Models;

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

    internal static ConfigMap Cm(string name, string ns, IDictionary<string, string>? labels = null, IDictionary<string, string>? data = null) =>
        new() { Metadata = new ObjectMeta { Name = name, Namespace = ns, Labels = labels }, Data = data };
}
