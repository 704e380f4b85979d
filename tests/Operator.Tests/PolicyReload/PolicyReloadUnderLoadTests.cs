namespace Admission.Operator.Tests.PolicyReload;

/// <summary>
/// The policy file flipped good → garbage → another good policy → garbage → the first, while
/// clients send reviews: every review is answered 200 and decided by one whole policy (the one in
/// force when it was sent, or the next one while a swap is landing), garbage never unreadies the
/// replica, and each refusal is logged and counted.
/// </summary>
public sealed class PolicyReloadUnderLoadTests
{
    // Under Strict, carol's Deployment in the Tier-1 namespace payments needs approvals (denied);
    // under ExemptCarol she is exempt. No other answer is right under either.
    private const string PolicyHeader = "apiVersion: approvals.admission.dev/v1alpha1\nkind: AdmissionPolicy\n";
    private const string Strict = PolicyHeader + "requiredApprovals: 2\n";
    private const string ExemptCarol = PolicyHeader + "exemptUsers: [carol]\n";
    private const string BelowTwo = PolicyHeader + "requiredApprovals: 1\n";
    private const string BrokenYaml = "apiVersion: approvals.admission.dev/v1alpha1\nexemptUsers: [carol\n";

    private const int MustBeStrict = 0, EitherWhileSwapping = 1, MustBeExempt = 2;

    [Fact]
    public async Task Garbage_keeps_the_last_good_policy_loudly_and_the_next_good_one_is_picked_up_with_every_review_decided_by_one_policy()
    {
        using var dir = new TempDir("admission-policy-load-");
        File.Copy(Repo.Example("namespace.yaml"), dir.File("namespace.yaml"));
        var policyFile = dir.Write("policy.yaml", Strict);
        await using var server = await ServeProcess.StartAsync(new ServeSettings { Approvals = [dir.File("namespace.yaml")], Policy = policyFile });
        using var probe = server.CreateClient();

        var expect = MustBeStrict;
        var failures = new ConcurrentQueue<string>();
        var answered = 0;
        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            using var client = server.CreateClient();
            while (!stop.IsCancellationRequested)
            {
                var expected = Volatile.Read(ref expect);
                try
                {
                    var answer = await client.ReviewAsync(Review.Example("deployment-create"));
                    var strict = !answer.Allowed && answer.Decision == "denied";
                    var exempt = answer.Allowed && answer.Decision == "exempt";
                    var right = expected switch
                    {
                        MustBeStrict => strict,
                        MustBeExempt => exempt,
                        _ => strict || exempt,
                    };
                    if (!right) failures.Enqueue($"expected {expected}, answered allowed={answer.Allowed} decision={answer.Decision}: {answer.Message}");
                    Interlocked.Increment(ref answered);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException)
                {
                    failures.Enqueue(e.Message);
                }
            }
        })).ToArray();

        async Task MoreAnswers(string what)
        {
            var at = Volatile.Read(ref answered);
            await WebhookCalls.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref answered)), n => n >= at + 20, TimeSpan.FromSeconds(30), what);
        }
        async Task<double> ReloadErrors() => PrometheusText.Parse(await probe.GetStringAsync("metrics")).Value("admission_policy_reload_errors_total") ?? 0;
        async Task<string> ReadyDetail()
        {
            using var ready = await probe.GetAsync("readyz");
            var body = await ready.Content.ReadAsStringAsync();
            Assert.True(ready.StatusCode == HttpStatusCode.OK, $"/readyz answered {(int)ready.StatusCode}: {body}");
            return body;
        }
        async Task Refused(string garbage, double errorsBefore, string named)
        {
            dir.WriteAtomically("policy.yaml", garbage);
            await WebhookCalls.EventuallyAsync(ReloadErrors, v => v >= errorsBefore + 1, TimeSpan.FromSeconds(15), "the refused policy counted");
            await WebhookCalls.EventuallyAsync(() => Task.FromResult(server.Output), o => o.Contains(named, StringComparison.Ordinal),
                TimeSpan.FromSeconds(10), "the refusal logged with file, line and key");
            Assert.Contains("was refused", await ReadyDetail(), StringComparison.Ordinal);
            Assert.Equal(1, PrometheusText.Parse(await probe.GetStringAsync("metrics")).Value("admission_policy_reload_failing"));
            await MoreAnswers("reviews answered with garbage on disk");
        }
        async Task Swap(string policy, int generation, int then)
        {
            Volatile.Write(ref expect, EitherWhileSwapping);
            dir.WriteAtomically("policy.yaml", policy);
            await WebhookCalls.EventuallyAsync(ReadyDetail, d => d.Contains($"generation {generation}", StringComparison.Ordinal),
                TimeSpan.FromSeconds(15), $"policy generation {generation} loaded");
            Volatile.Write(ref expect, then);
            await MoreAnswers($"reviews under generation {generation}");
        }

        await MoreAnswers("reviews under the first policy");
        await Refused(BelowTwo, 0, $"{policyFile}:3: requiredApprovals");
        await Swap(ExemptCarol, 2, MustBeExempt);
        await Refused(BrokenYaml, 1, $"{policyFile}:");
        await Swap(Strict, 3, MustBeStrict);
        await stop.CancelAsync();
        await Task.WhenAll(clients);

        Assert.Empty(failures);
        Assert.DoesNotContain("was refused", await ReadyDetail(), StringComparison.Ordinal);
        Assert.Equal(0, PrometheusText.Parse(await probe.GetStringAsync("metrics")).Value("admission_policy_reload_failing"));
        Assert.Equal(2, server.Output.Split('\n').Count(l => l.Contains("but was not loaded", StringComparison.Ordinal)));
    }
}
