using CsCheck;

namespace Admission.Kubernetes.Tests;

/// <summary>
/// Whatever an answer holds (any status, any body: JSON of any shape, truncated JSON, text), it
/// reads without throwing, keeps its status code, and the predicates stay consistent with each
/// other: the narrow ones imply the broad ones.
/// </summary>
public sealed class ApiErrorPropertyTests
{
    private static readonly Gen<string> Body = Gen.OneOf(
        Gen.String,
        Gen.Const(""),
        Gen.Select(Gen.OneOf(Gen.Const("NotFound"), Gen.Const("Conflict"), Gen.Const("AlreadyExists"), Gen.Const("Expired"), Gen.Const("Invalid"), Gen.String[0, 8]),
                Gen.String[0, 20], Gen.OneOf(Gen.Const(""), Gen.String[0, 6].Select(n => $",\"details\":{{\"name\":\"{n}\",\"retryAfterSeconds\":3}}"), Gen.Const(",\"details\":[]")), Gen.Bool)
            .Select((reason, message, details, cut) =>
            {
                var json = $"{{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"{reason.Replace("\"", "", StringComparison.Ordinal)}\",\"message\":{System.Text.Json.JsonSerializer.Serialize(message)}{details}}}";
                return cut ? json[..(json.Length / 2)] : json;
            }),
        Gen.Const("[1,2,3]"),
        Gen.Const("\"just a string\""));

    [Fact]
    public void Any_answer_reads_and_its_predicates_agree()
    {
        Gen.Select(Gen.Int[100, 599], Body, Gen.String[0, 6]).Sample((status, body, name) =>
        {
            var e = ApiError.From(ApiErrorPredicateTests.Failure(status, body, null));
            return e.StatusCode == status &&
                   (!e.IsTypeNotServed || e.IsNotFound) &&
                   (!e.IsNotFoundObject(name) || e.IsNotFound) &&
                   !(e.IsTypeNotServed && e.DetailsName is not null) &&
                   (!e.IsAlreadyExists || e.IsConflict) &&
                   e.Summary.StartsWith(e.StatusLine, StringComparison.Ordinal) &&
                   !e.Summary.Contains('\n', StringComparison.Ordinal) &&
                   e.Summary.Length <= e.StatusLine.Length + 2 + KubernetesApiException.SummaryMessageLimit + 3;
        }, iter: 3000);
    }
}
