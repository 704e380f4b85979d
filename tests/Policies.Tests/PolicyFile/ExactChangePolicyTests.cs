namespace Admission.Policies.Tests.PolicyFile;

/// <summary>Contract section 5: requireExactChange, approverVerb and allowRestarts.</summary>
public class ExactChangePolicyTests
{
    [Fact]
    public void Defaults()
    {
        var p = PolicyParser.Parse("{}", "policy.yaml");
        Assert.True(p.RequireExactChange);
        Assert.True(p.AllowRestarts);
        Assert.Equal("", p.ApproverVerb);
    }

    [Theory]
    [InlineData("requireExactChange: false", false, "", true)]
    [InlineData("approverVerb: approve", true, "approve", true)]
    [InlineData("approverVerb: \"\"", true, "", true)]
    [InlineData("allowRestarts: false", true, "", false)]
    public void Values(string yaml, bool exact, string verb, bool restarts)
    {
        var p = PolicyParser.Parse(yaml, "policy.yaml");
        Assert.Equal(exact, p.RequireExactChange);
        Assert.Equal(verb, p.ApproverVerb);
        Assert.Equal(restarts, p.AllowRestarts);
    }

    [Theory]
    [InlineData("requireExactChange: maybe", "requireExactChange")]
    [InlineData("\n\napproverVerb: Approve It", "approverVerb")]
    [InlineData("approverVerb: [approve]", "approverVerb")]
    [InlineData("allowRestarts: 1", "allowRestarts")]
    public void Errors_name_key_and_line(string yaml, string key)
    {
        var e = Assert.Throws<InputException>(() => PolicyParser.Parse(yaml, "policy.yaml"));
        var error = Assert.Single(e.Errors);
        Assert.Equal(key, error.Field);
        Assert.Equal(yaml.TakeWhile(c => c == '\n').Count() + 1, error.Line);
    }
}
