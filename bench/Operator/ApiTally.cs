using K8sReplication.TestKit.Kube;

namespace K8sReplication.Bench.Operator;

/// <summary>
/// The operator's share of the requests the emulator recorded (by its user agent): all requests, writes (create,
/// update, patch, delete), the Event writes among them, and the writes by verb and resource for the breakdown.
/// </summary>
internal sealed record ApiTally(int Requests, int Writes, int EventWrites, IReadOnlyDictionary<string, int> WritesByKind,
    IReadOnlyDictionary<string, int> ReadsByKind)
{
    public const string OperatorAgent = "k8srepl-operator";

    public int NonEventWrites => Writes - EventWrites;

    public static ApiTally Of(IEnumerable<RecordedRequest> recorded)
    {
        var ours = recorded.Where(r => r.UserAgent.Contains(OperatorAgent, StringComparison.Ordinal)).ToList();
        var writes = ours.Where(IsWrite).ToList();
        return new ApiTally(ours.Count, writes.Count, writes.Count(r => r.Resource == "events"), ByKind(writes), ByKind(ours.Where(r => !IsWrite(r))));
    }

    private static bool IsWrite(RecordedRequest r) => r.Verb is "create" or "update" or "patch" or "delete" or "deletecollection";

    public string Breakdown => Text(WritesByKind);

    public string ReadBreakdown => Text(ReadsByKind);

    private static Dictionary<string, int> ByKind(IEnumerable<RecordedRequest> requests) => requests
        .GroupBy(r => $"{r.Verb} {r.Resource}{(r.Subresource is null ? "" : "/" + r.Subresource)}", StringComparer.Ordinal)
        .OrderByDescending(g => g.Count())
        .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    private static string Text(IReadOnlyDictionary<string, int> byKind) =>
        byKind.Count == 0 ? "none" : string.Join(", ", byKind.Select(kv => $"{kv.Key} ×{kv.Value}"));
}
