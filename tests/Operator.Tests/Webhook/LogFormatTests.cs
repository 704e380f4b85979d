namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// Contract 6: every line serve writes in JSON format is one JSON object, with an RFC 3339
/// timestamp; in text format every line is one log entry. Each line of a whole run (startup with
/// a generated certificate, a decision, a broken approval file, SIGTERM) is parsed.
/// </summary>
public sealed partial class LogFormatTests
{
    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trce|dbug|info|warn|fail|crit): [\w.]+\[\d+\] \S.*$")]
    private static partial Regex TextLine();

    [Fact]
    public async Task Json_every_line_is_one_object_with_an_RFC3339_timestamp()
    {
        var lines = await RunAsync("json");

        Assert.NotEmpty(lines);
        foreach (var line in lines)
        {
            using var doc = ParseObject(line);
            var root = doc.RootElement;
            var timestamp = root.GetProperty("Timestamp").GetString()!;
            Assert.True(DateTimeOffset.TryParseExact(timestamp, "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
                $"not an RFC 3339 timestamp: \"{timestamp}\" in {line}");
            Assert.Equal(timestamp.Trim(), timestamp);
            Assert.False(string.IsNullOrEmpty(root.GetProperty("Message").GetString()), line);
        }
        Assert.Contains(lines, l => l.Contains("created serving certificate", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("admission webhook listening on", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("decision uid=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Text_every_line_is_one_entry_with_an_RFC3339_timestamp()
    {
        var lines = await RunAsync("text");

        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Matches(TextLine(), line));
        Assert.Contains(lines, l => l.Contains("admission webhook listening on", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_startup_error_in_json_format_is_a_JSON_line_too()
    {
        using var dir = new TempDir("admission-log-");
        var result = await AdmissionCli.RunAsync("serve", "--approvals", dir.File("nope-dir"), "--tls-dir", dir.File("tls"), "--log-format", "json");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var doc = ParseObject(line);
        Assert.Equal("Error", doc.RootElement.GetProperty("LogLevel").GetString());
        Assert.Equal($"error: --approvals: \"{dir.File("nope-dir")}\" does not exist", doc.RootElement.GetProperty("Message").GetString());
        Assert.Equal("", result.Stdout);
    }

    private static JsonDocument ParseObject(string line)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"not one JSON object: {line}\n{e.Message}");
        }
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        return doc;
    }

    /// <summary>A whole run; the lines of standard output and standard error.</summary>
    private static async Task<string[]> RunAsync(string format)
    {
        using var dir = new TempDir("admission-log-");
        dir.Write("approvals/namespace.yaml", await File.ReadAllTextAsync(Repo.Example("namespace.yaml")));
        dir.Write("approvals/approved.yaml", await File.ReadAllTextAsync(Repo.Example("approvals", "approved.yaml")));
        dir.Write("approvals/broken.yaml", "apiVersion: approvals.admission.dev/v1alpha1\nkind: ChangeApproval\nmetadata: [\n");
        await using var serve = await ServeProcess.StartAsync(new ServeSettings { Approvals = [dir.File("approvals")], LogFormat = format, TlsDir = dir.File("tls") });
        using (var client = serve.CreateClient())
        {
            var body = await File.ReadAllTextAsync(Repo.Example("reviews", "deployment-update-denied.json"));
            using var response = await client.PostAsync("validate", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}");
        }
        await serve.StopAsync();
        return serve.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
    }
}
