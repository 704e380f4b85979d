namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// Real AdmissionReviews captured by other projects (Webhook/fixtures/, a copy of the shared
/// fixtures; SOURCES.md there says where each comes from and under which licence). Each one is
/// sent to /validate exactly as stored, byte for byte.
/// </summary>
[Collection(SharedWebhook.Name)]
public sealed class FixtureReviewTests(LocalWebhookFixture webhook)
{
    private static string Folder => Repo.TestData("Webhook", "fixtures");

    /// <summary>Every fixture and what it must get: v1beta1 is refused naming the version; pods and custom resources are not guarded.</summary>
    public static TheoryData<string, bool> Expectations => new()
    {
        { "cr-update-kubevirt-vm--deckhouse-virtualization.json", true },
        { "deployment-create-v1beta1--tmobile-magtape.json", false },
        { "pod-create--cloud-custodian-cloud-custodian.json", true },
        { "pod-create--openyurtio-openyurt.json", true },
        { "pod-create-gke--kube-rs-kube.json", true },
        { "pod-create-v1beta1--tmobile-magtape.json", false },
        { "pod-delete--openyurtio-openyurt.json", true },
        { "pod-delete-eviction--openyurtio-openyurt.json", true },
    };

    [Fact]
    public void Every_fixture_file_has_an_expectation()
    {
        var files = Directory.GetFiles(Folder, "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        var listed = Expectations.Select(row => (string)row[0]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(listed, files);
        Assert.True(File.Exists(Path.Combine(Folder, "SOURCES.md")), "the fixtures keep their sources and licence notes");
    }

    [Theory]
    [MemberData(nameof(Expectations))]
    public async Task Fixture_is_handled(string file, bool isV1)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(Folder, file));
        var stored = JsonNode.Parse(bytes)!;
        var uid = (string)stored["request"]!["uid"]!;
        Assert.Equal(isV1, (string?)stored["apiVersion"] == "admission.k8s.io/v1");

        var (code, text, response) = await webhook.Client.SendRawAsync(HttpMethod.Post, WebhookCalls.Bytes(bytes, "application/json"));
        response.Dispose();
        if (!isV1)
        {
            Assert.Equal(HttpStatusCode.BadRequest, code);
            Assert.Contains("admission.k8s.io/v1beta1", text, StringComparison.Ordinal);
            Assert.Contains("admissionReviewVersions", text, StringComparison.Ordinal);
            return;
        }
        Assert.True(code == HttpStatusCode.OK, text);
        var answer = ReviewAnswer.Parse(code, "application/json", text);
        Assert.Equal(uid, answer.Uid);
        Assert.True(answer.Allowed, text);
        Assert.Equal("not-guarded", answer.Decision);
        Assert.Null(answer.Code);
        Assert.Empty(answer.Warnings);
    }

    /// <summary>
    /// The captured Deployment (a real kubectl apply, v1beta1 envelope) moved to the v1 envelope
    /// and into the Tier-1 namespace: decided as a workload, so denied without an approval.
    /// </summary>
    [Fact]
    public async Task The_captured_Deployment_in_a_v1_envelope_in_a_Tier1_namespace_is_denied()
    {
        var review = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Folder, "deployment-create-v1beta1--tmobile-magtape.json")))!.AsObject();
        review["apiVersion"] = "admission.k8s.io/v1";
        var request = review["request"]!.AsObject();
        request["namespace"] = "payments";
        request["object"]!["metadata"]!["namespace"] = "payments";
        // This capture has no request.name (its cluster left it out on CREATE): the name is the object's.
        Assert.Null(request["name"]);
        var name = (string)request["object"]!["metadata"]!["name"]!;
        var (code, text, response) = await webhook.Client.SendRawAsync(HttpMethod.Post, WebhookCalls.Json(review.ToJsonString()));
        response.Dispose();
        Assert.Equal(HttpStatusCode.OK, code);
        var answer = ReviewAnswer.Parse(code, "application/json", text);
        Assert.Equal((string)request["uid"]!, answer.Uid);
        Assert.False(answer.Allowed);
        Assert.Equal(403, answer.Code);
        Assert.Equal("denied", answer.Decision);
        Assert.Contains($"No ChangeApproval in payments targets Deployment {name}", answer.Message, StringComparison.Ordinal);
    }
}
