using System.Globalization;
using System.Collections.Concurrent;

namespace Admission.Cluster.Tests;

/// <summary>
/// Live reads shared between the reviews that need one at once: never more than one running and
/// one waiting per namespace, and never an answer from a read that began before the review asked.
/// </summary>
public sealed class SharedLiveReadsTests
{
    /// <summary>A reader whose reads the test finishes by hand; each answers with the version the "server" held when the read began.</summary>
    private sealed class GatedReader : ILiveReader
    {
        public int Version;
        public readonly ConcurrentQueue<(string Ns, int Version, TaskCompletionSource<IReadOnlyList<JsonElement>> Done)> Started = new();

        public Task<IReadOnlyList<JsonElement>> ListApprovalsAsync(string ns, CancellationToken cancellationToken)
        {
            var done = new TaskCompletionSource<IReadOnlyList<JsonElement>>(TaskCreationOptions.RunContinuationsAsynchronously);
            Started.Enqueue((ns, Version, done));
            cancellationToken.Register(() => done.TrySetCanceled(cancellationToken));
            return done.Task;
        }

        public Task<JsonElement?> ReadNamespaceAsync(string name, CancellationToken cancellationToken) => Task.FromResult<JsonElement?>(null);

        /// <summary>Finishes the oldest running read with the version it began at: one approval, named for it.</summary>
        public void FinishNext()
        {
            Assert.True(Started.TryDequeue(out var read), "no read is running");
            read.Done.SetResult([Objects.Approval(ns: read.Ns, name: "v" + read.Version.ToString(CultureInfo.InvariantCulture))]);
        }
    }

    /// <summary>The version the answer was read at: the name of the one approval in it.</summary>
    private static string Rv(ApprovalIndex answer, string ns = "payments") => answer.Targeting(ns, "apps", "Deployment", "checkout").Single().Name[1..];

    [Fact]
    public async Task Reviews_that_ask_while_a_read_runs_share_the_next_read_and_get_its_newer_answer()
    {
        var server = new GatedReader { Version = 1 };
        var reads = new SharedLiveReads(server, TimeSpan.FromSeconds(30));

        var first = reads.ApprovalsAsync("payments", CancellationToken.None);
        server.Version = 2; // an approval made after the first read began
        var later = Enumerable.Range(0, 5).Select(_ => reads.ApprovalsAsync("payments", CancellationToken.None)).ToArray();
        Assert.Single(server.Started);

        server.FinishNext();
        Assert.Equal("1", Rv(await first));
        await Eventually.True(() => server.Started.Count == 1, "the next read started once the first ended");
        Assert.All(later, t => Assert.False(t.IsCompleted));

        server.FinishNext();
        foreach (var t in later) Assert.Equal("2", Rv(await t));
        Assert.Empty(server.Started);

        // Nobody waits any more: the next review starts a read of its own at once.
        var again = reads.ApprovalsAsync("payments", CancellationToken.None);
        Assert.Single(server.Started);
        server.FinishNext();
        Assert.Equal("2", Rv(await again));
    }

    [Fact]
    public async Task Namespaces_do_not_share_reads()
    {
        var server = new GatedReader();
        var reads = new SharedLiveReads(server, TimeSpan.FromSeconds(30));
        var payments = reads.ApprovalsAsync("payments", CancellationToken.None);
        var ledger = reads.ApprovalsAsync("ledger", CancellationToken.None);
        Assert.Equal(["payments", "ledger"], server.Started.Select(r => r.Ns));
        server.FinishNext();
        server.FinishNext();
        Assert.Equal("0", Rv(await payments));
        Assert.Equal("0", Rv(await ledger, "ledger"));
        Assert.Empty((await ledger).Targeting("payments", "apps", "Deployment", "checkout"));
    }

    [Fact]
    public async Task A_review_that_stops_waiting_leaves_the_read_to_the_others()
    {
        var server = new GatedReader();
        var reads = new SharedLiveReads(server, TimeSpan.FromSeconds(30));
        using var impatient = new CancellationTokenSource();
        var gaveUp = reads.ApprovalsAsync("payments", impatient.Token);
        var waiting = reads.ApprovalsAsync("payments", CancellationToken.None);

        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gaveUp);
        server.FinishNext(); // the read the impatient review started goes on
        await Eventually.True(() => server.Started.Count == 1, "the waiting review's read started");
        server.FinishNext();
        Assert.Equal("0", Rv(await waiting));
    }

    [Fact]
    public async Task A_failed_read_fails_those_waiting_on_it_and_the_next_review_reads_afresh()
    {
        var failing = new FakeLiveReader { Approvals = _ => throw new HttpRequestException("connection refused") };
        var reads = new SharedLiveReads(failing, TimeSpan.FromSeconds(30));
        await Assert.ThrowsAsync<HttpRequestException>(() => reads.ApprovalsAsync("payments", CancellationToken.None));
        failing.Approvals = _ => [Objects.Approval(name: "v7"), Objects.Approval(ns: "ledger", name: "v8")];
        var index = await reads.ApprovalsAsync("payments", CancellationToken.None);
        Assert.Equal("7", Rv(index));
        Assert.Empty(index.Targeting("ledger", "apps", "Deployment", "checkout")); // another namespace's object in the answer is left out
        Assert.Equal(1, index.Count);
        Assert.Equal(2, failing.Reads);
    }

    [Fact]
    public async Task One_read_is_made_into_models_once_for_everyone_who_shares_it()
    {
        var server = new GatedReader();
        var reads = new SharedLiveReads(server, TimeSpan.FromSeconds(30));
        _ = reads.ApprovalsAsync("payments", CancellationToken.None);
        var shared = Enumerable.Range(0, 3).Select(_ => reads.ApprovalsAsync("payments", CancellationToken.None)).ToArray();
        server.FinishNext();
        await Eventually.True(() => server.Started.Count == 1, "the next read started");
        server.FinishNext();
        var answers = await Task.WhenAll(shared);
        Assert.All(answers, a => Assert.Same(answers[0], a));
    }

    [Fact]
    public async Task A_read_that_outlives_its_bound_is_cancelled_for_everyone_waiting_on_it()
    {
        var server = new GatedReader();
        var reads = new SharedLiveReads(server, TimeSpan.FromMilliseconds(50));
        var read = reads.ApprovalsAsync("payments", CancellationToken.None);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
    }
}
