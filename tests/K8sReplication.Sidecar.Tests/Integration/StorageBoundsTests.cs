using K8sReplication.TestKit;
using K8sReplication.TestKit.Sqlite;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>The database's files stay bounded, and status shows their sizes.</summary>
public sealed class StorageBoundsTests
{
    private const long TruncateBytes = 4L * 1024 * 1024;

    [Fact]
    public async Task WalFileLeftLongByABurst_IsTruncatedOnceTheDatabaseIsQuiet_AndStatusShowsTheSizes()
    {
        await using var mesh = await TestMesh.StartAsync(1);
        var node = mesh[0];
        var walPath = node.Database.FilePath + "-wal";

        // A reader that began before the burst keeps every frame of it in the WAL (no checkpoint may copy past its
        // snapshot, so no writer can start the WAL over): the file grows to ~10 MB.
        using (var reader = node.Open())
        {
            reader.Execute("BEGIN");
            reader.Execute("SELECT count(*) FROM items");
            using (var app = node.Open())
            {
                for (var tx = 0; tx < 3; tx++)
                {
                    app.Execute("BEGIN");
                    for (var i = 0; i < 1000; i++)
                    {
                        app.Execute("INSERT INTO items VALUES (@id, randomblob(3000), 1)", ("@id", $"row-{tx}-{i}"));
                    }

                    app.Execute("COMMIT");
                }
            }

            Assert.True(new FileInfo(walPath).Length > TruncateBytes, $"the WAL file is only {new FileInfo(walPath).Length} bytes");
            var during = await Eventually.ValueAsync(node.StatusAsync, s => s.Storage.WalBytes > TruncateBytes && s.Storage.Versions == 3000,
                TimeSpan.FromSeconds(20), "status shows the long WAL and every row's version");
            Assert.True(during.Storage.DatabaseBytes > 0);
            Assert.Equal(0, during.Storage.CaptureBacklog);
            reader.Execute("COMMIT");
        }

        // Quiet now: the sidecar copies what is left and truncates the file, and says so in status.
        await Eventually.TrueAsync(() => new FileInfo(walPath).Length <= TruncateBytes, TimeSpan.FromSeconds(20),
            "the WAL file is truncated once the database is quiet");
        var after = await Eventually.ValueAsync(node.StatusAsync, s => s.Storage.WalBytes <= TruncateBytes,
            TimeSpan.FromSeconds(20), "status shows the short WAL");
        Assert.True(after.Storage.DatabaseBytes > 9_000_000, $"database file {after.Storage.DatabaseBytes} bytes after the copy");
        Assert.Equal(3000, node.Count());
    }
}
