namespace Admission.Plugin.Tests.Unit;

public class DurationsTests
{
    [Theory]
    [InlineData("24h", 24 * 3600)]
    [InlineData("90m", 90 * 60)]
    [InlineData("1h30m", 90 * 60)]
    [InlineData("2d", 2 * 86400)]
    [InlineData("1d12h", 36 * 3600)]
    [InlineData("45s", 45)]
    [InlineData("1.5h", 90 * 60)]
    [InlineData(" 8h ", 8 * 3600)]
    public void Parses_go_durations_and_days(string text, int seconds)
    {
        Assert.True(Durations.TryParse(text, out var d));
        Assert.Equal(TimeSpan.FromSeconds(seconds), d);
    }

    [Theory]
    [InlineData("")]
    [InlineData("24")]
    [InlineData("h")]
    [InlineData("0h")]
    [InlineData("-1h")]
    [InlineData("1w")]
    [InlineData("24 h")]
    [InlineData("tomorrow")]
    [InlineData("99999999d")]
    public void Rejects_what_is_not_a_positive_duration(string text) =>
        Assert.False(Durations.TryParse(text, out _));

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(59, "59s")]
    [InlineData(119, "119s")]
    [InlineData(120, "2m")]
    [InlineData(303, "5m3s")]
    [InlineData(42 * 60 + 10, "42m")]
    [InlineData(3 * 3600 + 12 * 60 + 5, "3h12m")]
    [InlineData(5 * 3600, "5h")]
    [InlineData(23 * 3600 + 59 * 60, "23h")]
    [InlineData(24 * 3600, "24h")]
    [InlineData(3 * 86400 + 4 * 3600, "3d4h")]
    [InlineData(40 * 86400, "40d")]
    [InlineData(3 * 365 * 86400 + 86400, "3y1d")]
    public void Human_matches_kubectl_ages(int seconds, string expected) =>
        Assert.Equal(expected, Durations.Human(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Relative_says_in_or_ago()
    {
        var now = new DateTimeOffset(2026, 3, 6, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal("in 3h12m", Durations.Relative(now.AddMinutes(192), now));
        Assert.Equal("5m ago", Durations.Relative(now.AddMinutes(-5), now));
    }

    [Fact]
    public void Rfc3339_is_utc_to_the_second() =>
        Assert.Equal("2026-03-06T10:00:00Z", Durations.Rfc3339(new DateTimeOffset(2026, 3, 6, 11, 0, 0, 500, TimeSpan.FromHours(1))));
}
