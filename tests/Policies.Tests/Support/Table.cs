using System.Collections;

namespace Admission.Policies.Tests.Support;

/// <summary>
/// Named rows for a [Theory]: the row's name is the only theory argument, so each row is its own
/// test case and a failure names the rule it checks.
/// </summary>
public sealed class Table<T> : IEnumerable<KeyValuePair<string, T>>, IRowNames
{
    private readonly Dictionary<string, T> _rows = new(StringComparer.Ordinal);

    public void Add(string name, T row) => _rows.Add(name, row);

    public T this[string name] => _rows[name];

    public TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in _rows.Keys) data.Add(name);
        return data;
    }

    public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => _rows.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A workload request, the world it is decided in, and what the contract says the outcome is.</summary>
public sealed record Row(AdmissionInput Request, DecisionContext Context, DecisionCode Expected, string? Approval = null, string? MessageContains = null)
{
    public Decision Verify()
    {
        var decision = AdmissionEngine.Decide(Request, Context);
        Assert.Equal(Expected, decision.Code);
        Assert.Equal(Expected != DecisionCode.Denied, decision.Allowed);
        Assert.Equal(Approval, decision.Approval);
        if (MessageContains is { } fragment)
        {
            Assert.Contains(fragment, decision.Message, StringComparison.Ordinal);
        }
        if (Expected == DecisionCode.BreakGlass)
        {
            Assert.NotEmpty(decision.Warnings);
        }
        else if (decision.Allowed)
        {
            Assert.Empty(decision.Warnings);
        }
        return decision;
    }
}
