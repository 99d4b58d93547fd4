using System.Text;
using K8sReplication.Sidecar.Backup;

namespace K8sReplication.Sidecar.Tests.Backup;

/// <summary>What every <see cref="IRemoteStore"/> promises, run against each backend by a derived class.</summary>
public abstract class RemoteStoreContract
{
    /// <summary>A store over a fresh, empty root.</summary>
    internal abstract IRemoteStore OpenEmptyStore();

    internal static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    internal static async Task<List<RemoteObject>> ListAllAsync(IRemoteStore store, string prefix)
    {
        var found = new List<RemoteObject>();
        await foreach (var o in store.ListAsync(prefix, CancellationToken.None))
        {
            found.Add(o);
        }

        return found;
    }

    [Fact]
    public async Task PutIfAbsent_ExistingKey_IsRefusedAndContentUnchanged()
    {
        using var store = OpenEmptyStore();

        Assert.True(await store.PutIfAbsentAsync("wal/0001", Bytes("first"), CancellationToken.None));
        Assert.False(await store.PutIfAbsentAsync("wal/0001", Bytes("second, longer"), CancellationToken.None));

        Assert.Equal(Bytes("first"), await store.GetAsync("wal/0001", CancellationToken.None));
    }

    [Fact]
    public async Task Get_MissingKey_IsNull()
    {
        using var store = OpenEmptyStore();
        await store.PutIfAbsentAsync("a/present", Bytes("x"), CancellationToken.None);

        Assert.Null(await store.GetAsync("a/absent", CancellationToken.None));
        Assert.Null(await store.GetAsync("b/absent", CancellationToken.None));
        Assert.Null(await store.GetAsync("a", CancellationToken.None)); // a prefix of a key is no object
    }

    [Fact]
    public async Task NestedAndEmptyObjects_RoundTrip()
    {
        using var store = OpenEmptyStore();
        var content = Enumerable.Range(0, 70_000).Select(i => (byte)i).ToArray();

        Assert.True(await store.PutIfAbsentAsync("a/b/c/d/e/deep.bin", content, CancellationToken.None));
        Assert.True(await store.PutIfAbsentAsync("a/empty", ReadOnlyMemory<byte>.Empty, CancellationToken.None));

        Assert.Equal(content, await store.GetAsync("a/b/c/d/e/deep.bin", CancellationToken.None));
        Assert.Equal(Array.Empty<byte>(), await store.GetAsync("a/empty", CancellationToken.None));
        var listed = await ListAllAsync(store, "a/");
        Assert.Equal([("a/b/c/d/e/deep.bin", 70_000L), ("a/empty", 0L)], listed.Select(o => (o.Key, o.Size)));
    }

    [Fact]
    public async Task List_ByPrefix_ReturnsExactlyTheMatchingKeysInOrder()
    {
        using var store = OpenEmptyStore();
        string[] keys = ["segments/ab12/001000", "segments/ab12/000002", "segments/ab12/0009/x", "segments/ab12x", "segments/ab13/000001",
            "segments/ab12/000001", "snapshots/1", "segments/ab1"];
        foreach (var key in keys)
        {
            Assert.True(await store.PutIfAbsentAsync(key, Bytes(key), CancellationToken.None));
        }

        Assert.Equal(["segments/ab12/000001", "segments/ab12/000002", "segments/ab12/0009/x"], Keys(await ListAllAsync(store, "segments/ab12/000")));
        Assert.Equal(["segments/ab12/000001", "segments/ab12/000002", "segments/ab12/0009/x", "segments/ab12/001000"],
            Keys(await ListAllAsync(store, "segments/ab12/")));
        Assert.Equal(["segments/ab1", "segments/ab12/000001", "segments/ab12/000002", "segments/ab12/0009/x", "segments/ab12/001000", "segments/ab12x", "segments/ab13/000001"],
            Keys(await ListAllAsync(store, "segments/ab1")));
        Assert.Equal(keys.Order(StringComparer.Ordinal), Keys(await ListAllAsync(store, "")));
        Assert.Equal([], Keys(await ListAllAsync(store, "segments/zz")));
        Assert.Equal([], Keys(await ListAllAsync(store, "nothing/here/")));
    }

    [Fact]
    public async Task List_ReportsSizeAndRecentLastModified()
    {
        using var store = OpenEmptyStore();
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);
        await store.PutIfAbsentAsync("meta/one", Bytes("12345"), CancellationToken.None);

        var found = Assert.Single(await ListAllAsync(store, "meta/"));

        Assert.Equal(new RemoteObject("meta/one", 5, found.LastModified), found);
        Assert.InRange(found.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task Delete_ThenGet_IsNull_AndTheKeyCanBeWrittenAgain()
    {
        using var store = OpenEmptyStore();
        await store.PutIfAbsentAsync("old/1", Bytes("x"), CancellationToken.None);
        await store.PutIfAbsentAsync("old/2", Bytes("y"), CancellationToken.None);

        await store.DeleteAsync("old/1", CancellationToken.None);

        Assert.Null(await store.GetAsync("old/1", CancellationToken.None));
        Assert.Equal(["old/2"], Keys(await ListAllAsync(store, "old/")));
        Assert.True(await store.PutIfAbsentAsync("old/1", Bytes("z"), CancellationToken.None));
    }

    [Fact]
    public async Task Delete_MissingKey_IsNoError()
    {
        using var store = OpenEmptyStore();

        await store.DeleteAsync("never/written", CancellationToken.None);
        await store.PutIfAbsentAsync("never/other", Bytes("x"), CancellationToken.None);
        await store.DeleteAsync("never/written", CancellationToken.None);

        Assert.Equal(["never/other"], Keys(await ListAllAsync(store, "")));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/../../escape")]
    [InlineData("/absolute")]
    [InlineData("a\\b")]
    [InlineData("a\u0001b")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("trailing/")]
    [InlineData("")]
    public async Task InvalidKey_IsRefusedByEveryOperation(string key)
    {
        using var store = OpenEmptyStore();

        await Assert.ThrowsAsync<ArgumentException>(() => store.PutIfAbsentAsync(key, Bytes("x"), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetAsync(key, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.DeleteAsync(key, CancellationToken.None));
    }

    [Theory]
    [InlineData("../")]
    [InlineData("/a")]
    [InlineData("a//")]
    public async Task InvalidPrefix_IsRefusedByList(string prefix)
    {
        using var store = OpenEmptyStore();

        await Assert.ThrowsAsync<ArgumentException>(() => ListAllAsync(store, prefix));
    }

    private static List<string> Keys(IEnumerable<RemoteObject> objects) => [.. objects.Select(o => o.Key)];
}
