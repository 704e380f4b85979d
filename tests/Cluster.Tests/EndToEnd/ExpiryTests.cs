namespace Admission.Cluster.Tests.EndToEnd;

public sealed class ExpiryTests : ClusterTest
{
    [Fact]
    public async Task An_approval_flips_to_Expired_on_time_and_admits_nothing_after()
    {
        await _cluster.StartAdmissionAsync();
        var expiresAt = DateTimeOffset.UtcNow.AddSeconds(6);
        expiresAt = new DateTimeOffset(expiresAt.Year, expiresAt.Month, expiresAt.Day, expiresAt.Hour, expiresAt.Minute, expiresAt.Second, TimeSpan.Zero);
        await ApprovedAsync("short", expiresAt);
        await Wait.UntilAsync(() => _cluster.Phase("short") == "Approved", TimeSpan.FromSeconds(5), () => _cluster.Logs);
        var admitted = await _cluster.ChangeDeploymentAsync();
        Assert.True(admitted.Ok, admitted.ToString());

        await Wait.UntilAsync(() => _cluster.Phase("short") == "Expired", TimeSpan.FromSeconds(15), () => _cluster.Logs);
        var flipped = DateTimeOffset.UtcNow;
        Assert.True(flipped >= expiresAt, "not before expiresAt");
        Assert.True(flipped - expiresAt < TimeSpan.FromSeconds(2), $"flipped {flipped - expiresAt} after expiresAt");
        var condition = _cluster.Approval("short")!["status"]!["conditions"]![0]!;
        Assert.Equal(("False", "Expired"), (condition["status"]!.ToString(), condition["reason"]!.ToString()));
        await Wait.UntilAsync(() => _cluster.EventsFor("short").Any(e => e["reason"]?.ToString() == "Expired"), TimeSpan.FromSeconds(5), () => _cluster.Logs);

        var denied = await _cluster.ChangeDeploymentAsync();
        Assert.False(denied.Ok);
        Assert.Contains("expired", denied.Message, StringComparison.OrdinalIgnoreCase);
    }
}
