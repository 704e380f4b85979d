namespace Admission.Operator.Tests.Support;

/// <summary>One sample of the Prometheus text exposition format.</summary>
public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>A small reader for /metrics, enough to find samples by name and labels.</summary>
public sealed partial class PrometheusText
{
    private PrometheusText(string text, List<Sample> samples, Dictionary<string, string> types)
    {
        Text = text;
        Samples = samples;
        Types = types;
    }

    public string Text { get; }
    public IReadOnlyList<Sample> Samples { get; }
    /// <summary>Metric family name to its # TYPE.</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    public static PrometheusText Parse(string text)
    {
        var samples = new List<Sample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                types[parts[2]] = parts[3];
                continue;
            }
            if (line.StartsWith('#')) continue;
            var m = SampleLine().Match(line);
            if (!m.Success) throw new FormatException($"not a Prometheus sample line: {line}");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match l in LabelPair().Matches(m.Groups["labels"].Value))
            {
                labels[l.Groups[1].Value] = l.Groups[2].Value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
            }
            samples.Add(new Sample(m.Groups["name"].Value, labels, ParseValue(m.Groups["value"].Value)));
        }
        return new PrometheusText(text, samples, types);
    }

    public IEnumerable<Sample> All(string name) => Samples.Where(s => s.Name == name);

    /// <summary>The value of the one sample with this name and at least these labels; null when absent.</summary>
    public double? Value(string name, params (string Key, string Value)[] labels) =>
        Samples.FirstOrDefault(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value))?.Value;

    public override string ToString() => Text;

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
