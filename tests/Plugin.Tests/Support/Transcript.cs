namespace Admission.Plugin.Tests.Support;

/// <summary>
/// Records commands and what they printed, as a shell session would show them, for the docs:
/// written to $PLUGIN_TRANSCRIPT_DIR (or the test output folder) as NAME.txt.
/// </summary>
internal sealed class Transcript(string name)
{
    private readonly StringBuilder _text = new();

    public void Add(string who, IEnumerable<string> args, ProcessResult result, string? note = null)
    {
        if (note is not null) _text.Append("# ").Append(note).Append('\n');
        _text.Append($"{who}$ kubectl {string.Join(' ', args.Select(Quote))}\n");
        _text.Append(result.Out);
        _text.Append(result.Err);
        if (result.Exit != 0) _text.Append($"(exit {result.Exit})\n");
        _text.Append('\n');
    }

    /// <summary>Runs the real kubectl as <paramref name="user"/> on <paramref name="cluster"/>, recording the command, the note and what it printed.</summary>
    public async Task<ProcessResult> KubectlAsync(EndToEndCluster cluster, string user, IReadOnlyDictionary<string, string?>? env, string? note, params string[] args)
    {
        var result = await cluster.KubectlAsync(user, env, args);
        Add(user, args, result, note);
        return result;
    }

    public void Save() => SaveFile(name + ".txt", _text.ToString());

    public static void SaveFile(string file, string text)
    {
        var dir = Environment.GetEnvironmentVariable("PLUGIN_TRANSCRIPT_DIR") is { Length: > 0 } d ? d : Path.Combine(AppContext.BaseDirectory, "transcripts");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, file), text);
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,@".Contains(c)) ? arg : "\"" + arg.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
