using System.Net.Http.Headers;
using K8sReplication.Contracts;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Wire;

namespace K8sReplication.Sidecar.Pull;

/// <summary>
/// Calls to the compact anti-entropy endpoints (<see cref="CompactFormat"/>). Answers are read under byte limits
/// (the exact size a nodes answer must have; the leaf and row limits otherwise) and checked by
/// <see cref="CompactAnswers"/> before the caller sees them. A member that predates these endpoints answers 404,
/// surfacing as <see cref="PeerUnavailableException"/> with that status.
/// </summary>
internal sealed partial class PeerClient
{
    /// <summary>Short digests of the 16 children of each node of <paramref name="parents"/> (ascending) on <paramref name="level"/>.</summary>
    public async Task<(ulong[] Children, long Bytes)> GetCompactNodesAsync(int level, IReadOnlyList<int> parents, byte[] salt, int width, CancellationToken cancellationToken)
    {
        var request = new CompactWriter(16 + (parents.Count * 3));
        request.RequestHeader(width, salt);
        request.Byte((byte)level);
        WriteAscending(request, parents);
        var expected = 2 + VarIntSize(parents.Count) + ((long)parents.Count * MerkleTree.Fanout * width);
        return await SendCompactAsync("merkle_compact_nodes", Paths.MerkleCompactNodes, request, expected,
            answer => CompactAnswers.Nodes(answer, width, parents.Count), cancellationToken);
    }

    /// <summary>Row fingerprints of each of <paramref name="leaves"/> (ascending).</summary>
    public async Task<(ulong[][] Fingerprints, long Bytes)> GetCompactLeavesAsync(IReadOnlyList<int> leaves, byte[] salt, int width, CancellationToken cancellationToken)
    {
        var request = new CompactWriter(16 + (leaves.Count * 3));
        request.RequestHeader(width, salt);
        WriteAscending(request, leaves);
        return await SendCompactAsync("merkle_compact_leaves", Paths.MerkleCompactLeaves, request, Limits.Leaf,
            answer => CompactAnswers.Leaves(answer, width, leaves.Count), cancellationToken);
    }

    /// <summary>The current rows behind (leaf, fingerprint) pairs, sorted by leaf, of a tree of <paramref name="depth"/>.</summary>
    public async Task<(List<Change> Rows, long Bytes)> PostCompactRowsAsync(IReadOnlyList<(int Leaf, ulong Fingerprint)> wanted, byte[] salt, int width, int depth,
        CancellationToken cancellationToken)
    {
        var request = new CompactWriter(16 + (wanted.Count * (width + 4)));
        request.RequestHeader(width, salt);
        var groups = wanted.GroupBy(w => w.Leaf).OrderBy(g => g.Key).ToList();
        request.VarInt(groups.Count);
        foreach (var group in groups)
        {
            request.VarInt(group.Key);
            request.VarInt(group.Count());
            foreach (var (_, fingerprint) in group)
            {
                request.Fingerprint(fingerprint, width);
            }
        }

        var leaves = groups.Select(g => g.Key).ToHashSet();
        var maxRowBytes = config.Current.MaxRowBytes;
        return await SendCompactAsync("merkle_compact_rows", Paths.MerkleCompactRows, request, Limits.Feed,
            answer => CompactAnswers.Rows(answer, leaves, wanted.Count, depth, maxRowBytes), cancellationToken);
    }

    private static void WriteAscending(CompactWriter request, IReadOnlyList<int> values)
    {
        request.VarInt(values.Count);
        foreach (var value in values)
        {
            request.VarInt(value);
        }
    }

    private static int VarIntSize(int value) => value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x20_0000 ? 3 : value < 0x1000_0000 ? 4 : 5;

    /// <summary>
    /// POSTs a compact request and reads the answer's bytes under <paramref name="limit"/>, with the same deadline,
    /// authentication, accounting and failure mapping as every other call.
    /// </summary>
    private Task<(T Value, long Bytes)> SendCompactAsync<T>(string endpoint, string path, CompactWriter body, long limit, Func<byte[], T> check,
        CancellationToken cancellationToken)
    {
        var content = new ReadOnlyMemoryContent(body.Written);
        content.Headers.ContentType = new MediaTypeHeaderValue(CompactFormat.ContentType);
        return SendAsync(endpoint, HttpMethod.Post, path, content, TimeSpan.Zero, async (response, token) =>
        {
            var headers = response.Content.Headers;
            var answer = await PeerAnswerDecoder.ReadBytesAsync(await response.Content.ReadAsStreamAsync(token), headers.ContentLength, headers.ContentEncoding, limit, token);
            return (check(answer), (long)answer.Length);
        }, cancellationToken);
    }
}
