using Admission.Operator.Observability;

namespace Admission.Operator.Tests.Observability;

/// <summary>
/// The decision log never makes a request wait: with the output stuck and the queue full, lines
/// are dropped and counted. Every line it writes is one whole line (one JSON object in JSON format).
/// </summary>
public sealed class DecisionLogTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 6, 12, 0, 0, 123, TimeSpan.Zero);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static DecisionRecord Record(int i, string user = "carol") => new(
        "uid-" + i, user, "UPDATE", "deployments.apps", "payments", "checkout", "approved", "payments/checkout-2-4-1",
        "sha256:0123", false, 0.25);

    [Fact]
    public async Task A_full_queue_drops_and_counts_lines_and_never_blocks_the_writer()
    {
        const int capacity = 4;
        const int extra = 50;
        var output = new GatedStream();
        var before = AdmissionMetrics.DecisionLogDropped.Value;
        await using (var log = new DecisionLog(output, null, json: true, new FixedClock(Now), capacity))
        {
            // The first line is taken by the writer, which then sticks in the output: the queue is empty again.
            Assert.True(log.Write(Record(0)));
            await output.EnteredWrite.WaitAsync(Deadline);

            // A blocking Write would never finish: the deadline turns that into a failure, not a hang.
            var accepted = await Task.Run(() =>
            {
                var n = 0;
                for (var i = 1; i <= capacity + extra; i++) n += log.Write(Record(i)) ? 1 : 0;
                return n;
            }).WaitAsync(Deadline);

            Assert.Equal(capacity, accepted);
            Assert.Equal(extra, log.Dropped);
            Assert.True(AdmissionMetrics.DecisionLogDropped.Value - before >= extra);

            output.Open();
        }

        // Disposing drains the queue: the line in the output plus every accepted one, whole, in order.
        var uids = Lines(output.Text).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("State").GetProperty("Uid").GetString()).ToList();
        Assert.Equal(["uid-0", "uid-1", "uid-2", "uid-3", "uid-4"], uids);
    }

    [Fact]
    public async Task Json_lines_are_whole_json_objects_with_every_field_and_an_rfc3339_timestamp()
    {
        var output = new GatedStream();
        output.Open();
        // Writers on many threads at once, with values that need escaping or could break a line.
        var users = new[] { "carol", "ca\"rol", "line\nbreak", "tab\there", "ünïcödé", "back\\slash", new string('x', 5000) };
        await using (var log = new DecisionLog(output, new object(), json: true, new FixedClock(Now), capacity: 100_000))
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
            {
                for (var i = 0; i < 200; i++) Assert.True(log.Write(Record(t * 1000 + i, users[i % users.Length])));
            }))).WaitAsync(Deadline);
        }

        var lines = Lines(output.Text);
        Assert.Equal(1600, lines.Count);
        var seen = new HashSet<string>();
        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            Assert.Equal(JsonValueKind.Object, root.ValueKind);
            Assert.Equal("2026-03-06T12:00:00.123Z", root.GetProperty("Timestamp").GetString());
            Assert.Equal(DateTimeOffset.Parse(root.GetProperty("Timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture), Now);
            Assert.Equal("Information", root.GetProperty("LogLevel").GetString());
            var state = root.GetProperty("State");
            var names = state.EnumerateObject().Select(p => p.Name).ToArray();
            Assert.Equal(["Uid", "User", "Operation", "Resource", "Namespace", "Name", "Decision", "Approval", "Digest", "DryRun", "LatencyMs"], names);
            Assert.Contains(state.GetProperty("User").GetString(), users);
            Assert.Equal("sha256:0123", state.GetProperty("Digest").GetString());
            Assert.Equal(0.25, state.GetProperty("LatencyMs").GetDouble());
            Assert.StartsWith("decision uid=" + state.GetProperty("Uid").GetString() + " user=", root.GetProperty("Message").GetString(), StringComparison.Ordinal);
            Assert.True(seen.Add(state.GetProperty("Uid").GetString()!));
        }
    }

    [Fact]
    public async Task Text_lines_keep_the_fields_and_a_crafted_name_cannot_start_a_line()
    {
        var output = new GatedStream();
        output.Open();
        await using (var log = new DecisionLog(output, null, json: false, new FixedClock(Now)))
        {
            log.Write(Record(1, "mallory\n2026-03-06T12:00:00.000Z info: forged decision=approved"));
            log.Write(Record(2) with { Digest = null, DryRun = true });
        }

        var lines = Lines(output.Text);
        Assert.Equal(2, lines.Count);
        Assert.Equal("2026-03-06T12:00:00.123Z info: Admission.Operator.Webhook.ReviewHandler[1] decision uid=uid-1 user=mallory?2026-03-06T12:00:00.000Z info: forged decision=approved " +
            "operation=UPDATE resource=deployments.apps object=payments/checkout decision=approved approval=payments/checkout-2-4-1 digest=sha256:0123 dryRun=False latencyMs=0.250", lines[0]);
        Assert.EndsWith("digest= dryRun=True latencyMs=0.250", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_output_counts_its_lines_as_dropped_and_the_log_keeps_going()
    {
        var output = new GatedStream { Fail = true };
        output.Open();
        var log = new DecisionLog(output, null, json: true, new FixedClock(Now));
        Assert.True(log.Write(Record(1)));
        await WaitUntil(() => log.Dropped == 1);
        output.Fail = false;
        Assert.True(log.Write(Record(2)));
        await log.DisposeAsync();
        Assert.Equal(1, log.Written);
        Assert.Contains("uid-2", output.Text, StringComparison.Ordinal);
    }

    private static List<string> Lines(string text)
    {
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        return [.. text[..^1].Split('\n')];
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "condition not met before the deadline");
            await Task.Delay(10);
        }
    }

    /// <summary>An output that holds every write until opened, and can fail on demand.</summary>
    private sealed class GatedStream : Stream
    {
        private readonly ManualResetEventSlim _open = new(false);
        private readonly MemoryStream _written = new();
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public volatile bool Fail;

        public Task EnteredWrite => _entered.Task;

        public string Text
        {
            get
            {
                lock (_written) return Encoding.UTF8.GetString(_written.ToArray());
            }
        }

        public void Open() => _open.Set();

        public override void Write(byte[] buffer, int offset, int count)
        {
            _entered.TrySetResult();
            _open.Wait();
            if (Fail) throw new IOException("broken pipe");
            lock (_written) _written.Write(buffer, offset, count);
        }

        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _open.Dispose();
            base.Dispose(disposing);
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
