using System.Net;

namespace K8sReplication.Operator.Pki;

/// <summary>A member pod and the names its certificate must carry (its DNS names and, once it has one, its IP).</summary>
internal sealed record MemberIdentity(string Pod, IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> Addresses);
