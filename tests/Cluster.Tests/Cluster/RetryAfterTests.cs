namespace Admission.Cluster.Tests;

/// <summary>
/// After a failed list or watch the loop waits its backoff, or the API server's Retry-After when
/// that is longer (never past the backoff's cap, so a replica keeps trying to get back in touch).
/// </summary>
public sealed class RetryAfterTests
{
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    public static TheoryData<string, double, double?, double> Delays => new()
    {
        { "no Retry-After: the backoff", 0.5, null, 0.5 },
        { "a longer Retry-After wins", 0.5, 3, 3 },
        { "a shorter Retry-After does not hurry the backoff", 8, 2, 8 },
        { "Retry-After past the cap is capped", 1, 120, 30 },
        { "Retry-After: 0 is the backoff", 0.5, 0, 0.5 },
    };

    [Theory]
    [MemberData(nameof(Delays))]
    public void The_delay_is_the_longer_of_backoff_and_Retry_After_within_the_cap(string name, double backoff, double? retryAfter, double expected)
    {
        var delay = ListWatchLoop.DelayFor(TimeSpan.FromSeconds(backoff), retryAfter is { } r ? TimeSpan.FromSeconds(r) : null, Max);
        Assert.True(TimeSpan.FromSeconds(expected) == delay, $"{name}: {delay}");
    }

    public static TheoryData<string, HttpStatusCode, string?, double?> Answers => new()
    {
        { "429 with seconds", (HttpStatusCode)429, "3", 3 },
        { "503 with seconds", HttpStatusCode.ServiceUnavailable, "7", 7 },
        { "500 without", HttpStatusCode.InternalServerError, null, null },
        { "an HTTP date is not read (kube-apiserver sends seconds)", HttpStatusCode.ServiceUnavailable, "Wed, 21 Oct 2015 07:28:00 GMT", null },
        { "a negative number is not read", (HttpStatusCode)429, "-5", null },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void Retry_After_is_read_from_the_API_servers_answer(string name, HttpStatusCode status, string? header, double? expected)
    {
        using var response = new HttpResponseMessage(status) { Content = new StringContent("{}") };
        if (header is not null) response.Headers.TryAddWithoutValidation("Retry-After", header);
        var e = new HttpOperationException("failed") { Response = new HttpResponseMessageWrapper(response, "{}") };
        var read = ListWatchLoop.RetryAfter(e);
        Assert.True((expected is { } s ? TimeSpan.FromSeconds(s) : (TimeSpan?)null) == read, $"{name}: {read}");
    }

    [Fact]
    public void A_connection_failure_has_no_Retry_After() =>
        Assert.Null(ListWatchLoop.RetryAfter(new HttpRequestException("connection refused")));
}
