using K8sReplication.Contracts.Health;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Streams;
using K8sReplication.Sidecar.Tests.Storage;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Sqlite;
using K8sReplication.TestKit.Time;
using K8sReplication.TestKit.Tools;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace K8sReplication.Sidecar.Tests.Streams;

/// <summary>
/// The publisher against a real redis-server, on a clock the test moves: how it shares the transport's circuit breaker
/// with the tailers. The publisher, the tailers and status share one breaker per sidecar; when it is half-open exactly one
/// caller may probe, and a probe that is neither recorded nor given back keeps every other caller out for good: the
/// member then neither publishes nor reads again until it restarts.
/// </summary>
public sealed class StreamPublisherTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AnIdlePublisher_LeavesTheHalfOpenProbeToTheTailers_AndPublishesWhenThereIsSomething()
    {
        await using var redis = new RedisServer();
        await redis.StartAsync();
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var r = new TestReplica(timeProvider: time);
        var (config, replica, link, signal) = Wire(r, redis, time);
        OpenBreaker(link);

        using var publisher = new StreamPublisher(config, replica, link, signal, time, NullLogger<StreamPublisher>.Instance);
        await publisher.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(() => time.TimersCreated > 0, Deadline, "the publisher waits on the clock");

            // The open time passes with nothing to publish: the breaker lets one probe through, and the publisher goes
            // round its loop again without sending anything.
            var before = time.TimersCreated;
            time.Advance(SidecarDefaults.PeerCircuitOpenTime);
            await Eventually.TrueAsync(() => time.TimersCreated > before, Deadline, "the publisher came round again");
            Assert.Equal(CircuitState.HalfOpen, link.State);
            Assert.True(link.Breaker.TryAcquire(out var probe) && probe, "a tailer gets the probe: the idle publisher did not take it");
            link.RecordSuccess();

            r.App.Execute("INSERT INTO kv VALUES ('after', 1)");
            signal.Notify();
            using var client = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
            await Eventually.ValueAsync(() => client.GetDatabase().StreamLengthAsync(StreamPublisher.StreamKey(config.Current, r.Store.Site)),
                n => n == 1, Deadline, "the change published once there was one");
        }
        finally
        {
            await publisher.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task APublishRedisAnswersWithAnError_GivesTheHalfOpenProbeBack()
    {
        await using var redis = new RedisServer();
        await redis.StartAsync();
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var r = new TestReplica(timeProvider: time);
        var (config, replica, link, signal) = Wire(r, redis, time);
        // The stream's key holds a string: every XADD is answered WRONGTYPE, an error from a reachable server.
        using var client = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port}");
        await client.GetDatabase().StringSetAsync(StreamPublisher.StreamKey(config.Current, r.Store.Site), "not a stream");
        r.App.Execute("INSERT INTO kv VALUES ('pending', 1)");
        OpenBreaker(link);

        using var publisher = new StreamPublisher(config, replica, link, signal, time, NullLogger<StreamPublisher>.Instance);
        await publisher.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.TrueAsync(() => time.TimersCreated > 0, Deadline, "the publisher waits for the open breaker");

            // Half-open: the publisher, with a change to send, takes the probe; Redis refuses the XADD; the publisher
            // waits out its backoff.
            var before = time.TimersCreated;
            time.Advance(SidecarDefaults.PeerCircuitOpenTime);
            await Eventually.TrueAsync(() => time.TimersCreated > before, Deadline, "the publisher tried and backs off");
            Assert.Equal(0, publisher.Published);
            Assert.Equal(CircuitState.HalfOpen, link.State);
            Assert.True(link.Breaker.TryAcquire(out var probe) && probe, "the refused publish gave the probe back: a tailer gets it");
        }
        finally
        {
            await publisher.StopAsync(CancellationToken.None);
        }
    }

    private static (LiveConfig Config, StoreAccess Replica, RedisLink Link, ChangeSignal Signal) Wire(TestReplica r, RedisServer redis, TimeProvider time)
    {
        var config = LiveConfig.Load(["--database", r.Database.FilePath, "--node-name", "me", "--transport", "redis", "--redis-url", redis.Url],
            _ => null, NullLogger.Instance);
        var replica = new StoreAccess();
        replica.Publish(r.Store);
        return (config, replica, new RedisLink(config.Current.Redis!, time), new ChangeSignal());
    }

    /// <summary>Redis was unreachable for a while: enough failures (a tailer's, say) opened the breaker.</summary>
    private static void OpenBreaker(RedisLink link)
    {
        for (var i = 0; i < SidecarDefaults.PeerCircuitFailureThreshold; i++)
        {
            link.RecordFailure(new TimeoutException("redis-server did not answer"));
        }

        Assert.Equal(CircuitState.Open, link.State);
    }
}
