using Microsoft.AspNetCore.Http;

namespace Admission.Operator.Tests.Limits;

/// <summary>
/// The concurrent-review bound on its own: which request goes in and which is shed, decided by
/// requests held open on purpose (KestrelLimitsTests drives the same bound over real sockets).
/// </summary>
public sealed class ReviewConcurrencyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Up_to_the_limit_go_in_the_next_is_shed_with_429_and_a_finished_review_frees_its_slot(int limit)
    {
        var gate = new ReviewConcurrency(limit);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = 0;
        var bounded = gate.Around(async _ =>
        {
            Interlocked.Increment(ref entered);
            await release.Task;
        });

        var held = Enumerable.Range(0, limit).Select(_ => bounded(new DefaultHttpContext())).ToList();
        Assert.Equal(limit, entered);
        Assert.Equal(limit, gate.InFlight);

        var shed = new DefaultHttpContext { Response = { Body = new MemoryStream() } };
        // Answered at once: a gate that let it in would hold it with the others until released.
        await bounded(shed).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(StatusCodes.Status429TooManyRequests, shed.Response.StatusCode);
        Assert.Equal("1", shed.Response.Headers.RetryAfter.ToString());
        Assert.Equal(ReviewConcurrency.Message(limit) + "\n", System.Text.Encoding.UTF8.GetString(((MemoryStream)shed.Response.Body).ToArray()));
        Assert.Equal(limit, entered); // the shed request never reached the review
        Assert.Equal(limit, gate.InFlight); // nor kept a slot

        release.SetResult();
        await Task.WhenAll(held);
        Assert.Equal(0, gate.InFlight);
        var after = new DefaultHttpContext();
        await bounded(after);
        Assert.Equal(StatusCodes.Status200OK, after.Response.StatusCode);
        Assert.Equal(limit + 1, entered);
    }

    [Fact]
    public async Task A_review_that_throws_gives_its_slot_back()
    {
        var gate = new ReviewConcurrency(1);
        var bounded = gate.Around(_ => throw new InvalidOperationException("a bug"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => bounded(new DefaultHttpContext()));
        Assert.Equal(0, gate.InFlight);
        var ok = gate.Around(_ => Task.CompletedTask);
        var context = new DefaultHttpContext();
        await ok(context);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
    }
}
