namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// The parse every /validate body goes through (ValidateEndpoint.ParseReview, also what
/// ReviewBenchmarks measures): a key repeated anywhere, however it is spelled, is refused.
/// </summary>
public sealed class ParseReviewTests
{
    private static string Keys(int n, string prefix) => string.Join(",", Enumerable.Range(0, n).Select(i => $"\"{prefix}{i}\":{i}"));

    public static TheoryData<string, string, bool> Bodies => new()
    {
        // name, JSON, whether it is refused
        { "no repeats", """{"a":{"b":1,"c":[{"d":1},{"d":2}]},"b":{"a":1}}""", false },
        { "the same key at two depths", """{"k":{"k":{"k":1}}}""", false },
        { "at the top", """{"a":1,"b":2,"a":1}""", true },
        { "nested", """{"request":{"object":{"metadata":{"name":"x","name":"y"}}}}""", true },
        { "in an array's element", """{"list":[1,{"k":1},{"k":1,"k":2}]}""", true },
        { "spelled with an escape", """{"kind":1,"\u006bind":2}""", true },
        { "an escape that spells another key", """{"kind":1,"\u006bine":2}""", false },
        { "a lone surrogate escape in a key", """{"\ud800":1}""", true },
        { "in a large object inside a large one", "{" + Keys(40, "k") + ",\"in\":{" + Keys(40, "j") + ",\"j3\":0}}", true },
        { "large objects without repeats", "{" + Keys(40, "k") + ",\"in\":{" + Keys(40, "j") + "}}", false },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Refuses_a_repeated_key_anywhere(string name, string json, bool refused)
    {
        using var document = ValidateEndpoint.ParseReview(Encoding.UTF8.GetBytes(json), out var problem);

        Assert.True((document is null) == refused, $"{name}: {(document is null ? "refused: " + problem : "taken")}");
        if (refused) Assert.StartsWith("body is not a valid AdmissionReview: ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_body_that_is_not_UTF_8()
    {
        using var document = ValidateEndpoint.ParseReview(new byte[] { (byte)'{', (byte)'"', 0xC3, (byte)'"', (byte)':', (byte)'1', (byte)'}' }, out var problem);

        Assert.Null(document);
        Assert.Equal("body is not valid UTF-8", problem);
    }
}
