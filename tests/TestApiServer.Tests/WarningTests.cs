namespace Admission.TestApiServer.Tests;

/// <summary>Warning headers as kube-apiserver's recorder (k8s.io/apiserver/pkg/endpoints/filters/warning.go) writes them.</summary>
public sealed class WarningTests
{
    public static TheoryData<string[], string[]> Rows() => new()
    {
        { ["one", "two"], ["299 - \"one\"", "299 - \"two\""] },
        { ["same", "other", "same"], ["299 - \"same\"", "299 - \"other\""] },
        { ["", "kept"], ["299 - \"kept\""] },
        { ["two\nlines", "kept"], ["299 - \"kept\""] },
        { ["a\ttab", "kept"], ["299 - \"kept\""] },
        { ["bell\u0007", "kept"], ["299 - \"kept\""] },
        { ["say \"hi\" \\ bye"], ["299 - \"say \\\"hi\\\" \\\\ bye\""] },
        { ["Iñtërnâtiônàlizætiøn"], ["299 - \"Iñtërnâtiônàlizætiøn\""] },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Warnings_are_deduplicated_and_those_with_control_characters_dropped(string[] texts, string[] headers) =>
        Assert.Equal(headers, WarningRecorder.HeadersFor(texts));

    [Fact]
    public void Warnings_within_4096_runes_in_total_are_sent_whole()
    {
        var texts = new[] { new string('a', 2048), new string('b', 2048) };
        Assert.Equal(texts.Select(t => $"299 - \"{t}\""), WarningRecorder.HeadersFor(texts));
    }

    [Fact]
    public void Past_4096_runes_every_warning_is_cut_to_256_and_what_no_longer_fits_is_left_out()
    {
        // 10 + 4090 = 4100 > 4096: from then on every text is cut to 256 runes, earlier ones replayed cut.
        var texts = new List<string> { new('a', 10), new('b', 4090) };
        texts.AddRange(Enumerable.Range(0, 20).Select(i => new string((char)('c' + i), 300)));
        var headers = WarningRecorder.HeadersFor(texts);

        Assert.Equal("299 - \"" + new string('a', 10) + "\"", headers[0]);
        Assert.Equal("299 - \"" + new string('b', 256) + "\"", headers[1]);
        Assert.All(headers.Skip(2), h => Assert.Equal(256 + 8, h.Length));
        // 10 + 256 + 15 * 256 = 4106: the 16th cut text passes 4096, and nothing after it is added.
        Assert.Equal(2 + 15, headers.Count);
        var runes = headers.Sum(h => h.Length - 8);
        Assert.True(runes - 256 < WarningRecorder.TotalRunes, $"{runes} runes sent");
    }

    [Fact]
    public void Truncation_counts_runes_not_utf16_units()
    {
        var emoji = string.Concat(Enumerable.Repeat("😀", 300));
        var headers = WarningRecorder.HeadersFor([new string('x', 4000), emoji]);
        Assert.Equal("299 - \"" + string.Concat(Enumerable.Repeat("😀", 256)) + "\"", headers[1]);
    }

    [Fact]
    public async Task A_webhooks_warnings_reach_the_client_through_the_recorder()
    {
        await using var server = await Servers.StartAsync();
        server.Seed(Servers.Namespace("payments"));
        await using var webhook = await TestWebhook.StartAsync();
        server.Seed(Webhooks.Configuration("warn.admission.dev", Webhooks.Url(webhook), ["deployments"]));
        webhook.Respond = _ => TestWebhook.Allow("first", "first", "broken\nline", "last");
        var (status, _, response) = await server.SendAsync(Servers.Alice, HttpMethod.Post, "/apis/apps/v1/namespaces/payments/deployments",
            Servers.Deployment("payments", "web"));
        Assert.Equal(201, status);
        Assert.Equal(["299 - \"first\"", "299 - \"last\""], response.Headers.GetValues("Warning").ToArray());
    }
}
