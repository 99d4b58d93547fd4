using System.Net.Http.Headers;
using K8sReplication.Contracts;
using K8sReplication.Sidecar.ColdPath;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Peers;

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
        var (answer, bytes) = await SendCompactAsync("merkle_compact_nodes", Paths.MerkleCompactNodes, request, expected, cancellationToken);
        return (Checked("merkle_compact_nodes", () => CompactAnswers.Nodes(answer, width, parents.Count)), bytes);
    }

    /// <summary>Row fingerprints of each of <paramref name="leaves"/> (ascending).</summary>
    public async Task<(ulong[][] Fingerprints, long Bytes)> GetCompactLeavesAsync(IReadOnlyList<int> leaves, byte[] salt, int width, CancellationToken cancellationToken)
    {
        var request = new CompactWriter(16 + (leaves.Count * 3));
        request.RequestHeader(width, salt);
        WriteAscending(request, leaves);
        var (answer, bytes) = await SendCompactAsync("merkle_compact_leaves", Paths.MerkleCompactLeaves, request, Limits.Leaf, cancellationToken);
        return (Checked("merkle_compact_leaves", () => CompactAnswers.Leaves(answer, width, leaves.Count)), bytes);
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
        var (answer, bytes) = await SendCompactAsync("merkle_compact_rows", Paths.MerkleCompactRows, request, Limits.Feed, cancellationToken);
        return (Checked("merkle_compact_rows", () => CompactAnswers.Rows(answer, leaves, wanted.Count, depth, config.Current.MaxRowBytes)), bytes);
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
    /// authentication, accounting and failure mapping as the JSON calls.
    /// </summary>
    private async Task<(byte[] Answer, long Bytes)> SendCompactAsync(string endpoint, string path, CompactWriter body, long limit, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        var content = new ReadOnlyMemoryContent(body.Written);
        content.Headers.ContentType = new MediaTypeHeaderValue(CompactFormat.ContentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(peer.Settings.Url, path)) { Content = content };
        if (auth.Token is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        request.Headers.AcceptEncoding.ParseAdd("br");
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                var error = await ReadErrorAsync(response, timeout.Token);
                throw new PeerUnavailableException($"{endpoint}: HTTP {(int)response.StatusCode} {error}", (int)response.StatusCode);
            }

            var answer = await PeerAnswerDecoder.ReadBytesAsync(await response.Content.ReadAsStreamAsync(timeout.Token),
                response.Content.Headers.ContentLength, response.Content.Headers.ContentEncoding, limit, timeout.Token);
            metrics.PeerRequests.Add(1, Tags(endpoint, "success"));
            return (answer, answer.Length);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (PeerAnswerRejectedException e)
        {
            metrics.PeerRequests.Add(1, Tags(endpoint, "rejected"));
            throw Rejected(endpoint, e);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or PeerUnavailableException)
        {
            metrics.PeerRequests.Add(1, Tags(endpoint, e is PeerUnavailableException { StatusCode: < 500 } ? "rejected" : "error"));
            throw e as PeerUnavailableException ?? new PeerUnavailableException($"{endpoint}: {Describe(e)}", null, e);
        }
    }
}
