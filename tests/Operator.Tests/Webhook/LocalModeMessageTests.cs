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
        var review = await handler.HandleAsync(Request(), CancellationToken.None);

        Assert.False(review.Response!.Allowed);
        var message = review.Response.Status!.Message!;
        Assert.Contains($"not in touch with its approval files ({folder})", message, StringComparison.Ordinal);
        Assert.DoesNotContain("API server", message, StringComparison.Ordinal);
    }

    private static AdmissionRequest Request() => new()
    {
        Uid = "0b0c1f0e-2c1d-4b8e-9f51-7d3c2a9e0b11",
        Kind = new GroupVersionKind { Group = "apps", Version = "v1", Kind = "Deployment" },
        Resource = new GroupVersionResource { Group = "apps", Version = "v1", Resource = "deployments" },
        Name = "checkout",
        Namespace = "payments",
        Operation = "CREATE",
        UserInfo = new ReviewUserInfo { Username = "carol", Groups = ["developers"] },
        Object = JsonDocument.Parse("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"checkout\",\"namespace\":\"payments\"}}").RootElement.Clone(),
    };
}
