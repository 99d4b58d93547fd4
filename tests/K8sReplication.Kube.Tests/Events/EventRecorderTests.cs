using k8s;
using K8sReplication.Kube.Events;
using K8sReplication.Kube.Tests.Emulator;
using K8sReplication.TestKit.Time;

namespace K8sReplication.Kube.Tests.Events;

public sealed class EventRecorderTests : EmulatorTestBase
{
    [Fact]
    public async Task Bursts_AreRateLimitedPerObject_AndRefillOverTime()
    {
        var time = new ManualTimeProvider();
        var recorder = new EventRecorder(Client, new EventRecorderOptions
        {
            ReportingController = "k8srepl.dev/test",
            ReportingInstance = "i",
            Burst = 3,
            RefillInterval = TimeSpan.FromSeconds(10),
        }, time);
        var a = EventRecorder.ReferenceTo(await CreateConfigMapAsync("a"));
        var b = EventRecorder.ReferenceTo(await CreateConfigMapAsync("b"));

        var results = new List<EventRecordResult>();
        for (var i = 0; i < 5; i++)
        {
            results.Add(await recorder.RecordAsync(a, EventRecorder.Normal, "Tick", "Reconcile", "tick " + i));
        }

        Assert.Equal([EventRecordResult.Created, EventRecordResult.Created, EventRecordResult.Created,
            EventRecordResult.RateLimited, EventRecordResult.RateLimited], results);
        Assert.Equal(EventRecordResult.Created, await recorder.RecordAsync(b, EventRecorder.Normal, "Tick", "Reconcile", "other object"));
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(EventRecordResult.Created, await recorder.RecordAsync(a, EventRecorder.Normal, "Tick", "Reconcile", "after refill"));
        Assert.Equal(5, (await Client.EventsV1.ListNamespacedEventAsync("default")).Items.Count);
    }

    [Fact]
    public async Task RepeatAfterTheSeriesWindow_StartsANewEvent()
    {
        var time = new ManualTimeProvider();
        var recorder = new EventRecorder(Client, new EventRecorderOptions { ReportingController = "c", ReportingInstance = "i" }, time);
        var a = EventRecorder.ReferenceTo(await CreateConfigMapAsync("a"));
        Assert.Equal(EventRecordResult.Created, await recorder.RecordAsync(a, EventRecorder.Warning, "Lag", "Probe", "lagging"));
        Assert.Equal(EventRecordResult.SeriesUpdated, await recorder.RecordAsync(a, EventRecorder.Warning, "Lag", "Probe", "lagging"));
        time.Advance(TimeSpan.FromMinutes(7));
        Assert.Equal(EventRecordResult.Created, await recorder.RecordAsync(a, EventRecorder.Warning, "Lag", "Probe", "lagging"));
    }

    [Fact]
    public async Task DeletedEvent_IsRecreatedInsteadOfFailing()
    {
        var recorder = new EventRecorder(Client, new EventRecorderOptions { ReportingController = "c", ReportingInstance = "i" });
        var a = EventRecorder.ReferenceTo(await CreateConfigMapAsync("a"));
        await recorder.RecordAsync(a, EventRecorder.Normal, "R", "A", "n");
        var ev = Assert.Single((await Client.EventsV1.ListNamespacedEventAsync("default")).Items);
        await Client.EventsV1.DeleteNamespacedEventAsync(ev.Metadata.Name, "default");
        Assert.Equal(EventRecordResult.Created, await recorder.RecordAsync(a, EventRecorder.Normal, "R", "A", "n"));
    }

    [Fact]
    public async Task ApiFailure_IsReported_NotThrown()
    {
        var recorder = new EventRecorder(Client, new EventRecorderOptions { ReportingController = "c", ReportingInstance = "i" });
        var a = EventRecorder.ReferenceTo(await CreateConfigMapAsync("a"));
        Emulator.Faults.FailNext(1, 403, r => r.Resource == "events");
        Assert.Equal(EventRecordResult.Failed, await recorder.RecordAsync(a, EventRecorder.Normal, "R", "A", "n"));
    }
}
