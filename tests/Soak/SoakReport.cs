using ScottPlot;

namespace Admission.Soak;

/// <summary>
/// Judges the samples: for each series, a least-squares line over the second half of the run
/// (the first half is warm-up: JIT, caches, heap sizing). A series fails when that line climbs by
/// more than its allowance across the half: a fraction of its level, or a small absolute floor
/// for series that are naturally small. One high sample never fails a run; a steady climb does.
/// </summary>
public sealed record SoakReport(bool Flat, string Text)
{
    private sealed record Series(string Name, string Unit, Func<Sample, double> Value, double Fraction, double Floor);

    private static readonly Series[] All =
    [
        new("rss", "MiB", s => s.RssMiB, 0.10, 8),
        new("gc_heap", "MiB", s => s.GcHeapMiB, 0.25, 8),
        new("handles", "", s => s.Handles, 0.10, 8),
        new("threads", "", s => s.Threads, 0.10, 4),
    ];

    public static SoakReport Judge(IReadOnlyList<Sample> samples)
    {
        var text = new StringBuilder();
        if (samples.Count < 6) return new SoakReport(false, $"only {samples.Count} samples: too few to judge");
        var half = samples.Skip(samples.Count / 2).ToList();
        var span = half[^1].Seconds - half[0].Seconds;
        var flat = true;
        foreach (var series in All)
        {
            var (slope, _) = Fit(half.Select(s => s.Seconds).ToArray(), half.Select(series.Value).ToArray());
            var level = half.Average(series.Value);
            var growth = slope * span;
            var allowance = Math.Max(series.Floor, series.Fraction * level);
            var ok = growth <= allowance;
            flat &= ok;
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{series.Name,-8} first {series.Value(samples[0]),8:F1} last {series.Value(samples[^1]),8:F1} second-half mean {level,8:F1} {series.Unit,-3} slope {slope * 60,8:F3}/min growth over second half {growth,8:F2} (allowed {allowance:F1}) {(ok ? "flat" : "GROWS")}"));
        }
        return new SoakReport(flat, text.ToString().TrimEnd());
    }

    /// <summary>How much more resident memory the last third of a short run may average than its first third.</summary>
    public const double RssThirdsRatio = 1.20;

    /// <summary>How many more open handles the last third may reach than the first (a leak per review or per approval adds hundreds a minute).</summary>
    public const int HandleSlack = 8;

    /// <summary>
    /// The short run's judgement (60 s, too short for a fitted slope to mean much): resident
    /// memory as a ratio of the last third's mean to the first third's, and open handles as the
    /// last third's highest against the first third's highest.
    /// </summary>
    public static SoakReport JudgeThirds(IReadOnlyList<Sample> samples)
    {
        if (samples.Count < 9) return new SoakReport(false, $"only {samples.Count} samples: too few to judge");
        var third = samples.Count / 3;
        var first = samples.Take(third).ToList();
        var last = samples.Skip(samples.Count - third).ToList();
        var ratio = last.Average(x => x.RssMiB) / first.Average(x => x.RssMiB);
        var rssOk = ratio <= RssThirdsRatio;
        var handlesFirst = first.Max(x => x.Handles);
        var handlesLast = last.Max(x => x.Handles);
        var handlesOk = handlesLast <= handlesFirst + HandleSlack;
        var text = string.Create(CultureInfo.InvariantCulture,
            $"rss      first third mean {first.Average(x => x.RssMiB):F1} MiB, last third mean {last.Average(x => x.RssMiB):F1} MiB: ratio {ratio:F3} (allowed {RssThirdsRatio:F2}) {(rssOk ? "bounded" : "GROWS")}\n" +
            $"handles  first third max {handlesFirst}, last third max {handlesLast} (allowed +{HandleSlack}) {(handlesOk ? "no leak" : "LEAKS")}");
        return new SoakReport(rssOk && handlesOk, text);
    }

    /// <summary>Least squares: slope and intercept of y over x.</summary>
    public static (double Slope, double Intercept) Fit(double[] x, double[] y)
    {
        var mx = x.Average();
        var my = y.Average();
        var sxx = x.Sum(v => (v - mx) * (v - mx));
        var sxy = x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum();
        var slope = sxx == 0 ? 0 : sxy / sxx;
        return (slope, my - (slope * mx));
    }

    public static void WriteCsv(IReadOnlyList<Sample> samples, string path)
    {
        var csv = new StringBuilder("seconds,rss_mib,gc_heap_mib,handles,threads,reviews,failed_reviews,approvals_created\n");
        foreach (var s in samples)
        {
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{s.Seconds:F1},{s.RssMiB:F2},{s.GcHeapMiB:F2},{s.Handles},{s.Threads},{s.Reviews},{s.FailedReviews},{s.Approvals}"));
        }
        File.WriteAllText(path, csv.ToString());
    }

    public static void WritePlot(IReadOnlyList<Sample> samples, string path, int seconds)
    {
        var x = samples.Select(s => s.Seconds).ToArray();
        var plot = new Plot();
        plot.Title($"admission serve soak ({seconds} s, cluster mode, approval churn + steady reviews)");
        plot.XLabel("seconds");
        plot.YLabel("MiB");
        var rss = plot.Add.Scatter(x, samples.Select(s => s.RssMiB).ToArray());
        rss.LegendText = "resident memory (MiB)";
        var heap = plot.Add.Scatter(x, samples.Select(s => s.GcHeapMiB).ToArray());
        heap.LegendText = "GC heap (MiB)";
        var right = plot.Axes.Right;
        right.Label.Text = "count";
        var handles = plot.Add.Scatter(x, samples.Select(s => (double)s.Handles).ToArray());
        handles.LegendText = "open handles";
        handles.Axes.YAxis = right;
        var threads = plot.Add.Scatter(x, samples.Select(s => (double)s.Threads).ToArray());
        threads.LegendText = "threads";
        threads.Axes.YAxis = right;
        plot.Axes.SetLimitsY(0, Math.Max(1, samples.Max(s => Math.Max(s.RssMiB, s.GcHeapMiB))) * 1.2);
        plot.Axes.SetLimitsY(0, Math.Max(1, samples.Max(s => Math.Max(s.Handles, s.Threads))) * 1.2, right);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 1000, 560);
    }
}
