using Admission.Operator.Observability;

namespace Admission.Operator.Tests.Webhook;

/// <summary>
/// The decision line's Resource ("deployments.apps/scale"): the handler keeps the last one it
/// built on each thread, so reviews of one resource after another, and back, must each be named
/// for their own.
/// </summary>
public sealed class DecisionLogResourceTests
{
    public static TheoryData<string, string, string?, string> Resources => new()
    {
        // group, resource, subresource, as the line names it
        { "apps", "deployments", null, "deployments.apps" },
        { "apps", "deployments", "scale", "deployments.apps/scale" },
        { "apps", "deployments", "status", "deployments.apps/status" },
        { "", "pods", null, "pods" },
        { "", "pods", "eviction", "pods/eviction" },
        { "apps", "statefulsets", "scale", "statefulsets.apps/scale" },
        { "batch", "deployments", null, "deployments.batch" },
    };

    [Fact]
    public async Task Each_line_names_its_own_resource_whatever_came_before_it()
    {
        var rows = Resources.Select(r => ((string)r[0], (string)r[1], (string?)r[2], (string)r[3])).ToList();
        // Every row after every other, then the first again: a kept name must never be handed to another resource.
        var sequence = rows.SelectMany(a => rows.Select(b => (a, b))).SelectMany(p => new[] { p.a, p.b }).Append(rows[0]).ToList();
        var output = new MemoryStream();
        var log = new DecisionLog(output, null, json: true, TimeProvider.System);
        var handler = new ReviewHandler(AdmissionPolicy.Default, new NoState(), TimeProvider.System, NullLogger<ReviewHandler>.Instance, log);
        foreach (var (i, (group, resource, sub, _)) in sequence.Index())
        {
            // Copies, so that no string is the same instance as the one before it.
            var input = new AdmissionInput
            {
                Operation = Operation.Update, Group = new string(group), Kind = "Thing", Resource = new string(resource),
                SubResource = sub is null ? null : new string(sub), Namespace = "sandbox", Name = "x",
                User = new UserInfo("carol", []),
            };
            await handler.HandleAsync("uid-" + i, input, CancellationToken.None);
        }
        await log.DisposeAsync();

        var named = Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("State").GetProperty("Resource").GetString()).ToList();
        Assert.Equal(sequence.Select(r => r.Item4), named);
    }

    private sealed class NoState : IApprovalState
    {
        public DecisionSnapshot Snapshot { get; } = new(new ApprovalIndex([]), new NamespaceIndex([]));
        public Readiness Readiness => new(true, "test");
        public bool CanVerify => true;
        public ValueTask<DecisionSnapshot?> FreshenAsync(string ns, CancellationToken cancellationToken) => ValueTask.FromResult<DecisionSnapshot?>(null);
    }
}
