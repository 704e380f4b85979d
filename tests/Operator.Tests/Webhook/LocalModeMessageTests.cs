namespace Admission.Operator.Tests.Webhook;

/// <summary>Local mode has files, not an API server: its messages say so.</summary>
public sealed class LocalModeMessageTests
{
    [Fact]
    public async Task When_the_approval_files_vanish_the_denial_names_them_not_an_API_server()
    {
        using var dir = new TempDir("admission-local-msg-");
        var folder = dir.File("approvals");
        dir.Write("approvals/namespace.yaml", await File.ReadAllTextAsync(Repo.Example("namespace.yaml")));
        var store = new LocalApprovalStore([folder], NullLogger<LocalApprovalStore>.Instance);
        store.LoadInitial();
        Assert.True(store.Readiness.Ready, store.Readiness.Detail);

        Directory.Delete(folder, recursive: true);
        store.LoadInitial();
        var handler = new ReviewHandler(AdmissionPolicy.Default, store, TimeProvider.System, NullLogger<ReviewHandler>.Instance);
        var review = await handler.HandleAsync(Requests.CheckoutUpdate(), CancellationToken.None);

        Assert.False(review.Response!.Allowed);
        var message = review.Response.Status!.Message!;
        Assert.Contains($"not in touch with its approval files ({folder})", message, StringComparison.Ordinal);
        Assert.DoesNotContain("API server", message, StringComparison.Ordinal);
    }
}
