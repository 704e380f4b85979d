namespace Admission.Cluster.Tests;

public class RequeueTimerTests
{
    [Fact]
    public void Fires_each_key_at_its_time_in_order()
    {
        var clock = new FakeTimeProvider(Objects.T0);
        var fired = new List<(string, DateTimeOffset)>();
        using var timer = new RequeueTimer(clock, key => fired.Add((key, clock.GetUtcNow())));
        timer.Schedule("b", Objects.T0.AddMinutes(10));
        timer.Schedule("a", Objects.T0.AddMinutes(5));
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Empty(fired);
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([("a", Objects.T0.AddMinutes(5))], fired);
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal([("a", Objects.T0.AddMinutes(5)), ("b", Objects.T0.AddMinutes(10))], fired);
        Assert.Empty(timer.Pending);
    }

    [Fact]
    public void Rescheduling_replaces_and_cancel_removes()
    {
        var clock = new FakeTimeProvider(Objects.T0);
        var fired = new List<string>();
        using var timer = new RequeueTimer(clock, fired.Add);
        timer.Schedule("a", Objects.T0.AddMinutes(5));
        timer.Schedule("a", Objects.T0.AddMinutes(20));
        timer.Schedule("b", Objects.T0.AddMinutes(1));
        timer.Cancel("b");
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(fired);
        Assert.Equal(Objects.T0.AddMinutes(20), timer.Pending["a"]);
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(["a"], fired);
    }

    [Fact]
    public void A_time_in_the_past_fires_at_once()
    {
        var clock = new FakeTimeProvider(Objects.T0);
        var fired = new List<string>();
        using var timer = new RequeueTimer(clock, fired.Add);
        timer.Schedule("late", Objects.T0.AddMinutes(-1));
        clock.Advance(TimeSpan.Zero);
        Assert.Equal(["late"], fired);
    }
}
