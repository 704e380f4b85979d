namespace Admission.Operator.Tests.Webhook;

/// <summary>The hand-written response encoder gives byte for byte what the serializer gives.</summary>
public sealed class ReviewResponseWriterTests
{
    public static TheoryData<string, AdmissionReview> Responses => new()
    {
        { "approved", ReviewResponses.From("u-1", Decision.ApprovedBy("payments/checkout", "approved by alice and bob")) },
        { "denied, quotes and angle brackets", ReviewResponses.From("u-2", Decision.Deny("needs \"two\" approvals <see kubectl change why>\nline two")) },
        { "allowed with warnings", ReviewResponses.From("u-3", Decision.Allow(DecisionCode.BreakGlass, "break glass", ["BREAK-GLASS: ünïcödé", "second"])) },
        { "not guarded", ReviewResponses.From("u-4", Decision.Allow(DecisionCode.NotGuarded, "not guarded")) },
        { "errored", ReviewResponses.Errored("u-5", 500, "internal\terror") },
        {
            "denied with a cause per approval",
            ReviewResponses.From("u-6", Decision.Deny("base differs") with
            {
                Causes = [new DenialCause("exact-2-4-1", "ChangeBaseDiffers", "the live object is not the base"), new DenialCause("other", "Rejected", "rejected by \"dave\"")],
            })
        },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public void Encodes_as_the_serializer_does(string name, AdmissionReview review)
    {
        var expected = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(review, AdmissionJson.Relaxed.AdmissionReview));
        var actual = Encoding.UTF8.GetString(ReviewResponseWriter.Encode(review));
        Assert.True(expected == actual, $"{name}:\n{expected}\n{actual}");
    }
}
