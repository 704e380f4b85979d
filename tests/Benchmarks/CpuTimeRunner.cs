using System.Runtime.InteropServices;

namespace Admission.Benchmarks;

/// <summary>
/// <c>cpu</c>: the benchmarks' operations timed by the calling thread's CPU time, not by the wall
/// clock. On a machine shared with others' builds (a load average of 30 on 2 cores), BenchmarkDotNet's
/// wall-clock means swing by multiples between runs, because the benchmark thread waits for a core;
/// the CPU the thread itself spends per operation moves far less. Prints, per operation, the median
/// over rounds of CPU time per call and the bytes it allocated per call. Two builds are compared by
/// running each in turn and taking the ratio of their medians (docs/performance.md).
/// </summary>
/// <remarks>Linux only (clock_gettime with CLOCK_THREAD_CPUTIME_ID). The decision log's writer thread is not counted.</remarks>
internal static class CpuTimeRunner
{
    /// <summary>The full pipeline's stages one by one (ReviewStages).</summary>
    public static void Stages(int rounds, int callsPerRound)
    {
        foreach (var which in new[] { "update", "scale" })
        {
            var b = new ReviewBenchmarks { Review = which };
            b.Setup();
            Console.WriteLine($"-- {which}");
            foreach (var (name, operation) in ReviewStages.Of(b)) Measure(name, operation, rounds, callsPerRound);
            Measure("full pipeline", () => b.FullPipeline(), rounds, callsPerRound);
            b.Cleanup();
        }
    }

    public static void Run(int rounds, int callsPerRound)
    {
        var decision = new DecisionBenchmarks { Approvals = 10_000 };
        decision.Setup();
        var update = new ReviewBenchmarks { Review = "update" };
        update.Setup();
        var scale = new ReviewBenchmarks { Review = "scale" };
        scale.Setup();
        Measure("decision (10,000 approvals)", () => decision.Indexed(), rounds, callsPerRound);
        Digests("the decision's", decision.Request.Object!.Value, decision.Request.OldObject!.Value, () => decision.Digests() ? 1 : 0, rounds, callsPerRound);
        Pair("decision/its digests", () => decision.Indexed(), () => decision.Digests(), rounds, callsPerRound);
        Measure("parse only (update)", () => update.ParseOnly(), rounds, callsPerRound);
        Measure("parse checked (update)", () => update.ParseChecked(), rounds, callsPerRound);
        Pair("checked/parse only (update)", () => update.ParseChecked(), () => update.ParseOnly(), rounds, callsPerRound);
        Measure("full pipeline (update)", () => update.FullPipeline(), rounds, callsPerRound);
        using (var parsed = JsonDocument.Parse(update.Body))
        {
            var request = parsed.RootElement.GetProperty("request");
            var (o, old) = (request.GetProperty("object"), request.GetProperty("oldObject"));
            Func<int> digests = () => ChangeDigest.Of(o, AdmissionPolicy.Default).Length + ChangeDigest.Of(old, AdmissionPolicy.Default).Length;
            Digests("the update's", o, old, digests, rounds, callsPerRound);
            Pair("the update's digests/full pipeline", digests, () => update.FullPipeline(), rounds, callsPerRound);
        }
        Pair("full pipeline/parse only (update)", () => update.FullPipeline(), () => update.ParseOnly(), rounds, callsPerRound);
        Measure("parse only (scale)", () => scale.ParseOnly(), rounds, callsPerRound);
        Measure("parse checked (scale)", () => scale.ParseChecked(), rounds, callsPerRound);
        Measure("full pipeline (scale)", () => scale.FullPipeline(), rounds, callsPerRound);
        Pair("checked/parse only (scale)", () => scale.ParseChecked(), () => scale.ParseOnly(), rounds, callsPerRound);
        Pair("full pipeline/parse only (scale)", () => scale.FullPipeline(), () => scale.ParseOnly(), rounds, callsPerRound);
        update.Cleanup();
        scale.Cleanup();
    }

    /// <summary>
    /// Two change digests, and the share of each of their two steps: the RFC 8785 form of both
    /// objects (as bytes, with the copy <see cref="ChangeDigest.Content"/> makes), and SHA-256 of
    /// both forms through a reused hash object, as <see cref="ChangeDigest"/> hashes them. Shares
    /// are taken in alternating batches, as <see cref="Pair"/> takes every ratio.
    /// </summary>
    private static void Digests(string whose, JsonElement obj, JsonElement old, Func<int> both, int rounds, int calls)
    {
        var policy = AdmissionPolicy.Default;
        var (form, oldForm) = (ChangeDigest.Content(obj, policy), ChangeDigest.Content(old, policy));
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var hash = new byte[32];
        Measure($"{whose} two digests", both, rounds, calls);
        Pair($"  RFC 8785 ({form.Length} + {oldForm.Length} B)/both", () => ChangeDigest.Content(obj, policy).Length + ChangeDigest.Content(old, policy).Length, both, rounds, calls);
        Pair("  SHA-256 of both forms/both", () =>
        {
            sha.AppendData(form);
            sha.GetHashAndReset(hash);
            sha.AppendData(oldForm);
            return sha.GetHashAndReset(hash);
        }, both, rounds, calls);
    }

    private static void Measure<T>(string name, Func<T> operation, int rounds, int calls)
    {
        // Warm: the pools, and the JIT's tiers. Tier-up is by call count and then waits for the
        // background compiler, which on a loaded machine waits for a core: so warm by time too.
        var warm = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < calls * 2 || warm.Elapsed < WarmUp; i++) operation();
        var cpu = new double[rounds];
        var all = new double[rounds];
        long allocated = 0;
        for (var r = 0; r < rounds; r++)
        {
            var bytes = GC.GetAllocatedBytesForCurrentThread();
            var process = ProcessCpuNanoseconds();
            var start = ThreadCpuNanoseconds();
            for (var i = 0; i < calls; i++) operation();
            cpu[r] = (ThreadCpuNanoseconds() - start) / 1000.0 / calls;
            all[r] = (ProcessCpuNanoseconds() - process) / 1000.0 / calls;
            allocated += GC.GetAllocatedBytesForCurrentThread() - bytes;
        }
        Array.Sort(cpu);
        Array.Sort(all);
        // The process's CPU counts the threads that work for the caller too: the decision log's writer, the GC.
        Console.WriteLine($"{name,-30} {cpu[rounds / 2],8:F2} us CPU/call (median of {rounds} rounds of {calls}; min {cpu[0]:F2}, max {cpu[^1]:F2})  {allocated / ((double)rounds * calls),8:F0} B/call  {all[rounds / 2],8:F2} us process CPU/call");
    }

    /// <summary>
    /// Two operations in alternating batches, so a neighbour's burst of load falls on both alike: the
    /// median over rounds of the ratio of their CPU time per call (a to b).
    /// </summary>
    private static void Pair<T>(string name, Func<T> a, Func<T> b, int rounds, int calls)
    {
        var ratios = new double[rounds * 4];
        for (var r = 0; r < ratios.Length; r++)
        {
            var start = ThreadCpuNanoseconds();
            for (var i = 0; i < calls / 4; i++) a();
            var mid = ThreadCpuNanoseconds();
            for (var i = 0; i < calls / 4; i++) b();
            ratios[r] = (mid - start) / (double)(ThreadCpuNanoseconds() - mid);
        }
        Array.Sort(ratios);
        Console.WriteLine($"{name,-30} {ratios[ratios.Length / 2],8:F2}x CPU (median of {ratios.Length} alternating batches of {calls / 4}; quartiles {ratios[ratios.Length / 4]:F2} to {ratios[ratios.Length * 3 / 4]:F2})");
    }

    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    private static long ThreadCpuNanoseconds()
    {
        if (ClockGetTime(ThreadCpuClock, out var t) != 0) throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        return t.Seconds * 1_000_000_000 + t.Nanoseconds;
    }

    private static long ProcessCpuNanoseconds()
    {
        if (ClockGetTime(ProcessCpuClock, out var t) != 0) throw new InvalidOperationException("clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
        return t.Seconds * 1_000_000_000 + t.Nanoseconds;
    }

    private const int ThreadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID
    private const int ProcessCpuClock = 2; // CLOCK_PROCESS_CPUTIME_ID

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}
