using K8sReplication.Bench.Mesh;
using K8sReplication.Bench.Suite;
using K8sReplication.TestKit.Tls;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// The cost of mutual TLS on the hot path: pairs over plain HTTP and over mutual TLS
/// (certificates from a CA made for the run, ECDSA P-256, files in Secret-style volumes), both on the binary feed.
/// Repetitions alternate between the pairs (plain, TLS, plain, ...), so load on a shared machine falls on both alike;
/// each repetition is <see cref="ThroughputCase"/>'s on a fresh pair: N rows in 1000-row transactions on member 0
/// until member 1 has them, with both sidecars' CPU per row.
/// </summary>
internal static class TlsCase
{
    public sealed record Result(ThroughputCase.Result Plain, ThroughputCase.Result Tls);

    public static async Task<Result> RunAsync(SuiteOptions o)
    {
        using var ca = TestCertificateAuthority.Create("bench-mesh-ca");
        Task<BenchMesh> Plain() => BenchMesh.StartConnectedAsync(Path.Combine(o.Dir, "tls-plain"), 2);
        async Task<BenchMesh> Mutual()
        {
            var tls = await BenchMesh.StartConnectedAsync(Path.Combine(o.Dir, "tls-mutual"), 2, flags: node =>
            {
                // A member with TLS takes config pushes on its plain admin port only with the token.
                var token = Path.Combine(node.Folder, "token");
                node.Token = "bench-token";
                File.WriteAllText(token, node.Token);
                return [.. ca.SidecarFlags(node.Folder, node.Name), "--token-file", token];
            });
            if (tls[1].ReplicationUrl.Scheme != "https")
            {
                await tls.DisposeAsync();
                throw new InvalidOperationException($"the TLS pair listens on {tls[1].ReplicationUrl}");
            }

            return tls;
        }

        // At least 7 alternations: what TLS adds is smaller than one repetition's spread, so a median of 3 says little.
        var (plain, mutual) = await ThroughputCase.AlternateAsync(Plain, Mutual, o, Math.Max(o.Reps, o.Quick ? 1 : 7));
        return new Result(plain, mutual);
    }
}
