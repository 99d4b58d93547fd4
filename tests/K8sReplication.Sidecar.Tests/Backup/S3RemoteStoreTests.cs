using System.Net;
using System.Net.Sockets;
using K8sReplication.Contracts.Config;
using K8sReplication.Sidecar.Backup;
using K8sReplication.TestKit.Tools;

namespace K8sReplication.Sidecar.Tests.Backup;

/// <summary>The store contract on a real S3-compatible server (s3rver), and the S3 failures a store must report clearly.</summary>
public sealed class S3RemoteStoreTests(S3rverFixture server) : RemoteStoreContract, IClassFixture<S3rverFixture>
{
    internal override IRemoteStore OpenEmptyStore() => server.OpenStore($"test-{Guid.NewGuid():N}/");

    [Fact]
    public async Task List_OverMoreThanOnePage_ReturnsEveryKeyInOrder()
    {
        using var store = OpenEmptyStore();
        var keys = Enumerable.Range(0, S3RemoteStore.PageSize + 50).Select(i => $"many/{i:D5}").ToList();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (key, ct) => Assert.True(await store.PutIfAbsentAsync(key, Bytes("x"), ct)));

        var listed = await ListAllAsync(store, "many/");

        Assert.Equal(keys, listed.Select(o => o.Key));
    }

    [Fact]
    public async Task PutIfAbsent_SendsAConditionalWriteWithContentMd5_AndReadsItsRefusalAsAlreadyPresent()
    {
        using var endpoint = new ConditionalPutRefusingEndpoint();
        using var store = RemoteStores.Open("s3://backup/p", endpoint.Endpoint, S3rverServer.Credentials);

        Assert.False(await store.PutIfAbsentAsync("wal/0001", Bytes("hello"), CancellationToken.None));

        Assert.Equal("*", endpoint.PutHeaders["if-none-match"]);
        Assert.Equal("XUFAKrxLKna5cZ2REBfFkg==", endpoint.PutHeaders["content-md5"]); // MD5 of "hello"
    }

    [Fact]
    public async Task Describe_IsTheBucketAndPrefix()
    {
        using var store = server.OpenStore("archive/member-0");
        using var bare = server.OpenStore("");

        Assert.Equal("s3://backup/archive/member-0/", store.Describe);
        Assert.Equal("s3://backup/", bare.Describe);
        Assert.True(await bare.PutIfAbsentAsync("root-level-" + Guid.NewGuid().ToString("N"), Bytes("x"), CancellationToken.None));
    }

    [Fact]
    public async Task WrongCredentials_AreARemoteStoreException_NamingTheOperationAndCode_WithoutTheSecret()
    {
        using var store = server.OpenStore("creds/", new BackupCredentials { AccessKeyId = "NOT-A-KEY", SecretAccessKey = "very-secret-value", Region = "us-east-1" });

        var e = await Assert.ThrowsAsync<RemoteStoreException>(() => store.GetAsync("wal/0001", CancellationToken.None));

        Assert.Equal("get", e.Operation);
        Assert.Equal("InvalidAccessKeyId", e.ErrorCode);
        Assert.False(e.IsTransient);
        Assert.Contains("get 'wal/0001' on s3://backup/creds/", e.Message);
        Assert.DoesNotContain("very-secret-value", e.ToString());
    }

    [Fact]
    public async Task UnknownBucket_IsARemoteStoreException_NamingTheBucket()
    {
        using var store = RemoteStores.Open("s3://no-such-bucket/p", server.Server.Endpoint, S3rverServer.Credentials);

        var put = await Assert.ThrowsAsync<RemoteStoreException>(() => store.PutIfAbsentAsync("wal/0001", Bytes("x"), CancellationToken.None));
        var list = await Assert.ThrowsAsync<RemoteStoreException>(() => ListAllAsync(store, ""));

        Assert.Equal(("put", "NoSuchBucket", false), (put.Operation, put.ErrorCode, put.IsTransient));
        Assert.Equal(("list", "NoSuchBucket"), (list.Operation, list.ErrorCode));
        Assert.Contains("s3://no-such-bucket/p/", put.Message);
    }

    [Fact]
    public async Task ConnectionRefused_IsATransientRemoteStoreException()
    {
        using var store = RemoteStores.Open("s3://backup/p", $"http://127.0.0.1:{UnusedPort()}", S3rverServer.Credentials);

        var e = await Assert.ThrowsAsync<RemoteStoreException>(() => store.GetAsync("wal/0001", CancellationToken.None));

        Assert.Equal("get", e.Operation);
        Assert.True(e.IsTransient);
        Assert.Contains("refused", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task StoreDownForAWhile_FailsTransiently_ThenServesWhatItHadBefore()
    {
        var fixture = new S3rverFixture();
        try
        {
            var own = fixture.Server;
            await fixture.InitializeAsync();
            using var store = fixture.OpenStore("down/");
            Assert.True(await store.PutIfAbsentAsync("wal/0001", Bytes("kept"), CancellationToken.None));

            await own.StopAsync();
            var e = await Assert.ThrowsAsync<RemoteStoreException>(() => store.PutIfAbsentAsync("wal/0002", Bytes("x"), CancellationToken.None));
            Assert.True(e.IsTransient);

            await own.StartAsync();
            Assert.Equal(Bytes("kept"), await store.GetAsync("wal/0001", CancellationToken.None));
            Assert.True(await store.PutIfAbsentAsync("wal/0002", Bytes("x"), CancellationToken.None));
        }
        finally
        {
            await fixture.DisposeAsync();
        }
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
