using K8sReplication.TestKit.Sqlite;

namespace K8sReplication.Sidecar.Tests.Storage;

/// <summary>
/// Makes a replica's capture triggers read a test's clock: SQLite's <c>julianday('now')</c> on the replica's app
/// connection (where the triggers run and take the wall-clock part of a write's HLC) answers the provider's
/// <see cref="TimeProvider.GetUtcNow"/>. An application-defined function overrides the built-in one on that connection
/// only. With the same provider as the store's <see cref="TimeProvider"/>, every HLC of a run is the test's choice.
/// </summary>
internal static class TriggerClock
{
    private const double UnixEpochJulianDay = 2440587.5;

    public static TestReplica Attach(TestReplica replica, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(time);
        replica.App.CreateFunction("julianday", (string _) => (time.GetUtcNow().ToUnixTimeMilliseconds() / 86_400_000.0) + UnixEpochJulianDay);
        var seen = (long)replica.App.Rows($"SELECT CAST((julianday('now') - {UnixEpochJulianDay}) * 86400000.0 + 0.5 AS INTEGER)")[0][0]!;
        if (seen != time.GetUtcNow().ToUnixTimeMilliseconds())
        {
            throw new InvalidOperationException($"julianday('now') answers {seen}, not the test's clock");
        }

        return replica;
    }
}
