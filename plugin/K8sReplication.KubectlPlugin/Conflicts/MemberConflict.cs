using K8sReplication.Contracts.Conflicts;

namespace K8sReplication.KubectlPlugin.Conflicts;

/// <summary>One conflict-log entry and the member whose log holds it.</summary>
internal sealed record MemberConflict(string Pod, ConflictRecord Conflict);
