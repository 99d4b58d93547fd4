using K8sReplication.Contracts.Health;
using K8sReplication.Sidecar.Resilience;
using K8sReplication.Sidecar.Tests.Engine;

namespace K8sReplication.Sidecar.Tests.Resilience;

public sealed class CircuitBreakerTests
{
    private readonly ManualTime _time = new();

    [Fact]
    public void Opens_AfterThresholdConsecutiveFailures_AndRefusesUntilTheOpenTimePasses()
    {
        var breaker = new CircuitBreaker(3, TimeSpan.FromSeconds(5), _time);
        breaker.RecordFailure();
        breaker.RecordFailure();
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.True(breaker.TryAcquire());
        breaker.RecordFailure();
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.TryAcquire());
        Assert.Equal(TimeSpan.FromSeconds(5), breaker.RemainingOpenTime);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(breaker.TryAcquire());
    }

    [Fact]
    public void HalfOpen_LetsExactlyOneProbeThrough_SuccessCloses()
    {
        var breaker = new CircuitBreaker(1, TimeSpan.FromSeconds(5), _time);
        breaker.RecordFailure();
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.True(breaker.TryAcquire());
        Assert.False(breaker.TryAcquire());
        breaker.RecordSuccess();
        Assert.Equal(CircuitState.Closed, breaker.State);
        Assert.Equal(0, breaker.ConsecutiveFailures);
    }

    [Fact]
    public void HalfOpen_ProbeFailure_ReopensForAnotherOpenTime()
    {
        var breaker = new CircuitBreaker(2, TimeSpan.FromSeconds(5), _time);
        breaker.RecordFailure();
        breaker.RecordFailure();
        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.True(breaker.TryAcquire());
        breaker.RecordFailure();
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.TryAcquire());
    }

    [Fact]
    public void Success_ResetsTheFailureCount()
    {
        var breaker = new CircuitBreaker(2, TimeSpan.FromSeconds(5), _time);
        breaker.RecordFailure();
        breaker.RecordSuccess();
        breaker.RecordFailure();
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public void HalfOpen_AProbeGivenBack_GoesToTheNextCaller_AndTheBreakerStaysHalfOpen()
    {
        var breaker = new CircuitBreaker(1, TimeSpan.FromSeconds(5), _time);
        breaker.RecordFailure();
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(breaker.TryAcquire(out var first));
        Assert.True(first);
        Assert.False(breaker.TryAcquire(out var none));
        Assert.False(none);

        breaker.ReleaseProbe();
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
        Assert.True(breaker.TryAcquire(out var second));
        Assert.True(second);
        Assert.False(breaker.TryAcquire());
    }

    [Fact]
    public void Closed_CallersAreNotProbes_AndGivingBackChangesNothing()
    {
        var breaker = new CircuitBreaker(2, TimeSpan.FromSeconds(5), _time);
        Assert.True(breaker.TryAcquire(out var probe));
        Assert.False(probe);
        breaker.ReleaseProbe();
        Assert.Equal(CircuitState.Closed, breaker.State);
        breaker.RecordFailure();
        breaker.RecordFailure();
        breaker.ReleaseProbe();
        Assert.Equal(CircuitState.Open, breaker.State);
        Assert.False(breaker.TryAcquire());
    }

    [Fact]
    public void ReleasingANumberedProbe_GivesBackOnlyThatOne_NeverALaterProbe()
    {
        var breaker = new CircuitBreaker(1, TimeSpan.FromSeconds(5), _time);
        breaker.RecordFailure();
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(breaker.TryAcquire(out var first));
        Assert.True(first);
        var firstGrant = breaker.ProbesGranted;

        // The first probe is settled (it failed), and after the open time a second caller probes.
        breaker.RecordFailure();
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(breaker.TryAcquire(out var second));
        Assert.True(second);
        var secondGrant = breaker.ProbesGranted;
        Assert.NotEqual(firstGrant, secondGrant);

        // The first holder, late, gives its probe back: the second one stays in flight.
        breaker.ReleaseProbe(firstGrant);
        Assert.False(breaker.TryAcquire());

        // The second holder gives its own back: the next caller probes.
        breaker.ReleaseProbe(secondGrant);
        Assert.True(breaker.TryAcquire(out var third));
        Assert.True(third);
        Assert.Equal(CircuitState.HalfOpen, breaker.State);
    }
}
