using System.Globalization;
using K8sReplication.Contracts.Wire;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Pull;

/// <summary>
/// Checks every decoded peer answer before anything uses it and turns it into storage records. JSON lets a peer send
/// <c>null</c> or leave out any member, so nothing is assumed: missing parts are <c>malformed</c>, answers that break
/// the protocol (counts, order, lengths, hashes) are <c>invalid</c>, a cursor beyond the peer's own newest entry is
/// <c>seq_beyond_max</c>, and a row larger than the row limit is <c>too_large</c>. Schema-level checks (key types
/// against the local columns, value counts) follow in the store, which refuses the whole batch before writing.
/// </summary>
internal static class PeerAnswers
{
    /// <summary>Longest table name accepted in a schema answer (SQLite allows more; no sane schema needs it).</summary>
    public const int MaxTableNameLength = 1024;

    /// <summary>Most tables a schema answer may list.</summary>
    public const int MaxTables = 10_000;

    /// <summary>A JSON feed answer's changes, each checked on its own (the page is checked by <see cref="Page"/>).</summary>
    public static List<Change> FeedChanges(ChangesResponse? answer)
    {
        if (answer?.Changes is not { } changes)
        {
            throw Malformed("changes", "is missing");
        }

        RequireSite(answer.Site, "site");
        var result = new List<Change>(changes.Count);
        for (var i = 0; i < changes.Count; i++)
        {
            result.Add(ToChange(changes[i], i));
        }

        return result;
    }

    /// <summary>
    /// Checks a decoded feed page (JSON or binary) against its request: at most <paramref name="limit"/> changes, in
    /// strictly increasing seq after <paramref name="after"/> and up to <paramref name="lastSeq"/>, a cursor not
    /// beyond the peer's own newest entry, and no row over the row limit.
    /// </summary>
    public static void Page(IReadOnlyList<Change> changes, long lastSeq, long maxSeq, long after, int limit, long maxRowBytes)
    {
        if (changes.Count > limit)
        {
            throw Invalid("changes", $"{changes.Count} changes answer a request for at most {limit}");
        }

        if (lastSeq < after)
        {
            throw Invalid("lastSeq", $"{lastSeq} is before the requested position {after}");
        }

        if (lastSeq > maxSeq)
        {
            throw new PeerAnswerRejectedException(RejectReason.SeqBeyondMax,
                $"lastSeq {lastSeq} is beyond the peer's own newest entry maxSeq {maxSeq}");
        }

        var previous = after;
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            if (change.Seq <= previous || change.Seq > lastSeq)
            {
                throw Invalid(Field(i, ".q"), $"seq {change.Seq} is not between the previous entry's {previous} and lastSeq {lastSeq}");
            }

            RequireRowSize(change, i, maxRowBytes);
            previous = change.Seq;
        }
    }

    public static List<Change> Rows(RowsResponse? answer, string table, IReadOnlyList<byte[]> requested, long maxRowBytes)
    {
        if (answer?.Changes is not { } changes)
        {
            throw Malformed("changes", "is missing");
        }

        if (changes.Count > requested.Count)
        {
            throw Invalid("changes", $"{changes.Count} rows answer a request for {requested.Count} keys");
        }

        var keys = new HashSet<string>(requested.Select(Convert.ToBase64String), StringComparer.Ordinal);
        var result = new List<Change>(changes.Count);
        for (var i = 0; i < changes.Count; i++)
        {
            var change = ToChange(changes[i], i);
            RequireRowSize(change, i, maxRowBytes);
            if (!string.Equals(change.Table, table, StringComparison.Ordinal) || !keys.Remove(Convert.ToBase64String(change.Key)))
            {
                throw Invalid(Field(i), $"a row of table {InputQuote.Quote(change.Table)} that was not asked for (or twice)");
            }

            result.Add(change);
        }

        return result;
    }

    public static List<LeafEntry> Leaf(MerkleLeafResponse? answer, int leaf)
    {
        if (answer?.Entries is not { } entries)
        {
            throw Malformed("entries", "is missing");
        }

        if (answer.Leaf != leaf)
        {
            throw Invalid("leaf", $"answers leaf {answer.Leaf}, leaf {leaf} was asked for");
        }

        var result = new List<LeafEntry>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var field = string.Create(CultureInfo.InvariantCulture, $"entries[{i}]");
            var e = entries[i] ?? throw Malformed(field, "is null");
            var table = RequireTable(e.Table, field + ".t");
            var key = RequireKey(e.Key, field + ".k");
            var site = RequireSite(e.Site, field + ".s");
            RequireHlc(e.Hlc, field + ".h");
            result.Add(new LeafEntry(table, key, new RowVersion(e.Hlc, site, e.Deleted)));
        }

        return result;
    }

    public static List<byte[]> Children(MerkleNodesResponse? answer, string path)
    {
        if (answer?.Children is not { } children)
        {
            throw Malformed("children", "is missing");
        }

        if (!string.Equals(answer.Path, path, StringComparison.Ordinal))
        {
            throw Invalid("path", $"answers node {InputQuote.Quote(answer.Path)}, node '{path}' was asked for");
        }

        if (children.Count != MerkleTree.Fanout)
        {
            throw Invalid("children", $"{children.Count} children; a node has {MerkleTree.Fanout}");
        }

        return [.. children.Select((c, i) => RequireDigest(c, string.Create(CultureInfo.InvariantCulture, $"children[{i}]")))];
    }

    public static byte[] Root(MerkleRootResponse? answer)
    {
        if (answer is null)
        {
            throw Malformed("body", "is null");
        }

        RequireSite(answer.Site, "site");
        if (answer.Fanout != MerkleTree.Fanout)
        {
            throw Invalid("fanout", $"{answer.Fanout}; this member's tree has fanout {MerkleTree.Fanout}");
        }

        return RequireDigest(answer.Root, "root");
    }

    public static (SiteId Site, IReadOnlyDictionary<string, string> Tables) Schema(SchemaResponse? answer)
    {
        if (answer?.Tables is not { } tables)
        {
            throw Malformed("tables", "is missing");
        }

        var site = RequireSite(answer.Site, "site");
        if (tables.Count > MaxTables)
        {
            throw Invalid("tables", $"{tables.Count} tables; at most {MaxTables} are accepted");
        }

        foreach (var (name, hash) in tables)
        {
            RequireTable(name, "tables");
            if (hash is not { Length: 32 } || !hash.All(char.IsAsciiHexDigit))
            {
                throw Invalid("tables." + InputQuote.Quote(name), "schema hash must be 32 hex digits");
            }
        }

        return (site, tables);
    }

    private static Change ToChange(WireChange? wire, int index)
    {
        var c = wire ?? throw Malformed(Field(index), "is null");
        var table = RequireTable(c.Table, Field(index, ".t"));
        var key = RequireKey(c.Key, Field(index, ".k"));
        var site = RequireSite(c.Site, Field(index, ".s"));
        RequireHlc(c.Hlc, Field(index, ".h"));
        if (!c.Deleted && c.Values is null)
        {
            throw Malformed(Field(index, ".v"), "values are required for a live row");
        }

        return new Change(table, key, new RowVersion(c.Hlc, site, c.Deleted), c.Deleted ? null : c.Values, c.Seq);
    }

    private static void RequireRowSize(Change change, int index, long maxRowBytes)
    {
        var size = RowSize.Of(change.Key, change.Values);
        if (size > maxRowBytes)
        {
            throw new PeerAnswerRejectedException(RejectReason.TooLarge,
                string.Create(CultureInfo.InvariantCulture, $"{Field(index)}: a row of table {InputQuote.Quote(change.Table)} holds {size} bytes, more than hotPath.maxRowBytes ({maxRowBytes})"));
        }
    }

    private static string RequireTable(string? table, string field) =>
        string.IsNullOrEmpty(table) ? throw Malformed(field, "table name is missing")
        : table.Length > MaxTableNameLength ? throw Invalid(field, $"table name of {table.Length} characters; at most {MaxTableNameLength}")
        : table;

    private static byte[] RequireKey(byte[]? key, string field) =>
        key is { Length: > 0 } ? key : throw Malformed(field, "key is missing");

    private static SiteId RequireSite(string? text, string field) =>
        SiteId.TryParse(text, out var site) ? site : throw Invalid(field, $"{InputQuote.Quote(text)} is not a site id ({SiteId.Size * 2} hex digits)");

    private static void RequireHlc(long hlc, string field)
    {
        if (hlc <= 0)
        {
            throw Invalid(field, $"version clock must be positive, got {hlc}");
        }
    }

    private static byte[] RequireDigest(string? hex, string field)
    {
        if (hex is not { Length: MerkleTree.DigestSize * 2 } || !hex.All(char.IsAsciiHexDigit))
        {
            throw Invalid(field, $"{InputQuote.Quote(hex)} is not a digest ({MerkleTree.DigestSize * 2} hex digits)");
        }

        return Convert.FromHexString(hex);
    }

    private static string Field(int index, string suffix = "") => string.Create(CultureInfo.InvariantCulture, $"changes[{index}]{suffix}");

    private static PeerAnswerRejectedException Malformed(string field, string message) =>
        new(RejectReason.Malformed, $"{field}: {message}");

    private static PeerAnswerRejectedException Invalid(string field, string message) =>
        new(RejectReason.Invalid, $"{field}: {message}");
}
