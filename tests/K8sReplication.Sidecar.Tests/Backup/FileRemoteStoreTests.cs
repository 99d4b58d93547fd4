using K8sReplication.Sidecar.Backup;

namespace K8sReplication.Sidecar.Tests.Backup;

/// <summary>The store contract on a directory, and what is particular to files: temporary files and their leftovers.</summary>
public sealed class FileRemoteStoreTests : RemoteStoreContract, IDisposable
{
    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("remote-store-");

    internal override IRemoteStore OpenEmptyStore() => RemoteStores.Open(new Uri(NewRoot()).AbsoluteUri, null, null);

    /// <remarks>
    /// Not part of the shared contract: s3rver ignores If-None-Match, so there only the existence check stands between
    /// racing writers; real S3 enforces it (S3RemoteStoreTests checks the condition is sent and its refusal read).
    /// </remarks>
    [Fact]
    public async Task PutIfAbsent_ConcurrentWritersOfOneKey_ExactlyOneWins()
    {
        using var store = OpenEmptyStore();

        var writers = Enumerable.Range(0, 8).Select(i => store.PutIfAbsentAsync("snapshots/0001", Bytes($"writer {i}"), CancellationToken.None)).ToList();
        var won = await Task.WhenAll(writers);

        var winner = Assert.Single(Enumerable.Range(0, 8), i => won[i]);
        Assert.Equal(Bytes($"writer {winner}"), await store.GetAsync("snapshots/0001", CancellationToken.None));
    }

    [Fact]
    public async Task Put_CreatesMissingDirectories_AndLeavesNoTemporaryFile()
    {
        var root = NewRoot();
        using var store = RemoteStores.Open("file://" + root, null, null);

        Assert.True(await store.PutIfAbsentAsync("segments/ab/0001", Bytes("x"), CancellationToken.None));
        Assert.False(await store.PutIfAbsentAsync("segments/ab/0001", Bytes("y"), CancellationToken.None));

        Assert.Equal([Path.Combine(root, "segments", "ab", "0001")], Directory.GetFileSystemEntries(root, "*", SearchOption.AllDirectories).Where(File.Exists));
    }

    [Fact]
    public async Task LeftoverTemporaryFile_IsNotListed_AndDoesNotBlockAPut()
    {
        var root = NewRoot();
        using var store = RemoteStores.Open("file://" + root, null, null);
        await store.PutIfAbsentAsync("wal/0001", Bytes("one"), CancellationToken.None);
        // What a crash between writing the temporary file and linking it into place leaves behind.
        await File.WriteAllTextAsync(Path.Combine(root, "wal", FileRemoteStore.TempPrefix + "0123456789abcdef"), "torn");

        Assert.Equal(["wal/0001"], (await ListAllAsync(store, "")).Select(o => o.Key));
        Assert.True(await store.PutIfAbsentAsync("wal/0002", Bytes("two"), CancellationToken.None));
        Assert.Equal(["wal/0001", "wal/0002"], (await ListAllAsync(store, "wal/")).Select(o => o.Key));
        Assert.Equal(Bytes("two"), await store.GetAsync("wal/0002", CancellationToken.None));
    }

    [Fact]
    public async Task KeyWithATemporaryFileName_IsRefused()
    {
        using var store = OpenEmptyStore();

        await Assert.ThrowsAsync<ArgumentException>(() => store.PutIfAbsentAsync("wal/" + FileRemoteStore.TempPrefix + "x", Bytes("x"), CancellationToken.None));
    }

    [Fact]
    public async Task KeysStartingWithADot_AreListed()
    {
        using var store = OpenEmptyStore();
        await store.PutIfAbsentAsync(".meta/.state", Bytes("x"), CancellationToken.None);

        Assert.Equal([".meta/.state"], (await ListAllAsync(store, "")).Select(o => o.Key));
    }

    [Fact]
    public async Task UnwritableRoot_IsARemoteStoreExceptionNamingTheOperationAndKey()
    {
        // A file where the root directory should be: no object can be created under it, whoever runs the test.
        var root = NewRoot();
        await File.WriteAllTextAsync(root, "not a directory");
        using var store = RemoteStores.Open("file://" + root, null, null);

        var e = await Assert.ThrowsAsync<RemoteStoreException>(() => store.PutIfAbsentAsync("wal/0001", Bytes("x"), CancellationToken.None));

        Assert.Equal("put", e.Operation);
        Assert.Contains("put 'wal/0001' on file://" + root, e.Message);
    }

    [Fact]
    public void Describe_IsTheRootAsAFileUrl()
    {
        var root = NewRoot();
        using var store = RemoteStores.Open("file://" + root, null, null);

        Assert.Equal("file://" + root + "/", store.Describe);
    }

    public void Dispose() => _temp.Delete(recursive: true);

    private string NewRoot() => Path.Combine(_temp.FullName, Guid.NewGuid().ToString("N"));
}
