using System.Runtime.CompilerServices;

namespace K8sReplication.Sidecar.Backup;

/// <summary>
/// A <see cref="IRemoteStore"/> in a local directory (a mounted volume, or tests). An object is written to a temporary
/// file beside its final name, flushed to disk, then hard-linked into place — which fails when the name exists, so a
/// put never overwrites — and the directory is flushed, so an object that was reported written survives a crash and
/// a crash mid-write leaves only a temporary file that listings skip and later puts ignore.
/// </summary>
internal sealed class FileRemoteStore : IRemoteStore
{
    /// <summary>Names of temporary files start with this; no key segment may.</summary>
    public const string TempPrefix = ".tmp-";

    private static readonly EnumerationOptions AllFiles = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.None, // keys may start with '.', which Unix reports as hidden
        IgnoreInaccessible = false,
    };

    private readonly string _root;

    /// <param name="root">Absolute path of the store's directory; created on the first put.</param>
    public FileRemoteStore(string root)
    {
        var full = Path.GetFullPath(root);
        _root = Path.EndsInDirectorySeparator(full) ? full : full + Path.DirectorySeparatorChar;
        Describe = new Uri(_root).AbsoluteUri;
    }

    public string Describe { get; }

    public async Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        var path = PathOf(key);
        var directory = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(directory, TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            if (File.Exists(path))
            {
                return false;
            }

            CreateDirectoryDurably(directory);
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous))
            {
                await file.WriteAsync(content, ct).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            // link(2) the complete temp file to the name: it fails when the name exists, even when another writer
            // took it a moment ago, and the object appears complete or not at all (the temp name goes in finally).
            switch (DirectoryFlush.LinkExclusive(temp, path))
            {
                case false:
                    return false;
                case null:
                    // No hard links here: a move that may not overwrite (checks, then renames: racing writers of one
                    // key may both succeed, each with a complete object).
                    try
                    {
                        File.Move(temp, path, overwrite: false);
                    }
                    catch (IOException) when (File.Exists(path))
                    {
                        return false;
                    }

                    break;
            }

            DirectoryFlush.Flush(directory);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure("put", key, e);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken ct)
    {
        var path = PathOf(key);
        try
        {
            return await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException || (e is UnauthorizedAccessException && Directory.Exists(path)))
        {
            return null; // a directory is a prefix of other keys, not an object
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure("get", key, e);
        }
    }

    public async IAsyncEnumerable<RemoteObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        RemoteKey.CheckPrefix(prefix);

        // Only the directory of the prefix's complete segments can hold matches; a scan is blocking I/O.
        var slash = prefix.LastIndexOf('/');
        var directory = slash < 0 ? _root : PathOf(prefix[..slash]);
        List<RemoteObject> objects;
        try
        {
            objects = await Task.Run(() => Scan(directory, prefix, ct), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure("list", prefix, e);
        }

        foreach (var found in objects)
        {
            ct.ThrowIfCancellationRequested();
            yield return found;
        }
    }

    public Task DeleteAsync(string key, CancellationToken ct)
    {
        var path = PathOf(key);
        try
        {
            if (!Directory.Exists(path))
            {
                File.Delete(path); // no error when absent
            }

            return Task.CompletedTask;
        }
        catch (DirectoryNotFoundException)
        {
            return Task.CompletedTask;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Failure("delete", key, e);
        }
    }

    public void Dispose()
    {
        // Nothing is held open between calls.
    }

    private List<RemoteObject> Scan(string directory, string prefix, CancellationToken ct)
    {
        var objects = new List<RemoteObject>();
        if (!Directory.Exists(directory))
        {
            return objects;
        }

        foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", AllFiles))
        {
            ct.ThrowIfCancellationRequested();
            var key = Path.GetRelativePath(_root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal) && !file.Name.StartsWith(TempPrefix, StringComparison.Ordinal))
            {
                objects.Add(new RemoteObject(key, file.Length, new DateTimeOffset(file.LastWriteTimeUtc)));
            }
        }

        objects.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return objects;
    }

    private string PathOf(string key)
    {
        RemoteKey.Check(key);
        if (key.Split('/').Any(segment => segment.StartsWith(TempPrefix, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"invalid remote key: '{key}' has a segment starting with '{TempPrefix}', which the file store keeps for its temporary files", nameof(key));
        }

        return _root + key.Replace('/', Path.DirectorySeparatorChar);
    }

    /// <summary>Creates <paramref name="directory"/> and its missing parents, flushing each new entry's parent.</summary>
    private static void CreateDirectoryDurably(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        var missing = new List<string>();
        for (var d = directory; !Directory.Exists(d); d = Path.GetDirectoryName(d)!)
        {
            missing.Add(d);
        }

        Directory.CreateDirectory(directory);
        for (var i = missing.Count - 1; i >= 0; i--)
        {
            DirectoryFlush.Flush(Path.GetDirectoryName(missing[i])!);
        }
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left over like a crash's leftover: never listed, never in a later put's way.
        }
    }

    private RemoteStoreException Failure(string operation, string key, Exception e) =>
        new(Describe, operation, key, errorCode: null, isTransient: e is not UnauthorizedAccessException, e.Message, e);
}
