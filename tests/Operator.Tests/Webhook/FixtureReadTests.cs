namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// Every real review in Webhook/fixtures/ reads (ReviewReader) to what the serializer reads from
/// it, field by field, the first time and again once its strings are kept for reuse
/// (RecurringStrings), and translates to the same engine input both times.
/// </summary>
public sealed class FixtureReadTests
{
    private static string Folder => Repo.TestData("Webhook", "fixtures");

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static TheoryData<string> Files => new(Directory.GetFiles(Folder, "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(Files))]
    public void A_fixture_reads_as_the_serializer_reads_it_every_time(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Folder, file));
        var expected = Fields(JsonSerializer.Deserialize<AdmissionReview>(bytes, Web)!);
        string? firstInput = null;
        for (var time = 0; time < 3; time++)
        {
            using var doc = JsonDocument.Parse(bytes);
            var review = ReviewReader.Read(doc.RootElement);
            Assert.Equal(expected, Fields(review));
            var input = Input(review);
            firstInput ??= input;
            Assert.Equal(firstInput, input);
        }
    }

    /// <summary>Every field the reader fills, as path=value lines (objects as their JSON).</summary>
    internal static List<string> Fields(AdmissionReview review)
    {
        var r = review.Request!;
        return
        [
            $"apiVersion={review.ApiVersion}", $"kind={review.Kind}", $"uid={r.Uid}",
            $"kind={r.Kind?.Group}/{r.Kind?.Version}/{r.Kind?.Kind}", $"resource={r.Resource?.Group}/{r.Resource?.Version}/{r.Resource?.Resource}",
            $"subResource={r.SubResource}",
            $"requestKind={r.RequestKind?.Group}/{r.RequestKind?.Version}/{r.RequestKind?.Kind}",
            $"requestResource={r.RequestResource?.Group}/{r.RequestResource?.Version}/{r.RequestResource?.Resource}",
            $"requestSubResource={r.RequestSubResource}", $"name={r.Name}", $"namespace={r.Namespace}", $"operation={r.Operation}",
            $"username={r.UserInfo?.Username}", $"userUid={r.UserInfo?.Uid}", $"groups={string.Join("|", r.UserInfo?.Groups ?? [])}",
            $"object={Raw(r.Object)}", $"oldObject={Raw(r.OldObject)}", $"options={Raw(r.Options)}", $"dryRun={r.DryRun ?? false}",
        ];
    }

    private static string Raw(JsonElement? e) => e is { ValueKind: not JsonValueKind.Null } v ? v.GetRawText() : "";

    /// <summary>The engine input as text, or the translator's problem.</summary>
    private static string Input(AdmissionReview review)
    {
        var (input, problem) = ReviewTranslator.ToInput(review.Request!, AdmissionPolicy.Default);
        return input is null ? "problem: " + problem
            : $"{input.Operation} {input.Group}/{input.Kind}/{input.Resource}/{input.SubResource} {input.Namespace}/{input.Name} " +
              $"{input.User.Username} [{string.Join("|", input.User.Groups)}] {input.DryRun} {Raw(input.Object)} {Raw(input.OldObject)}";
    }
}
