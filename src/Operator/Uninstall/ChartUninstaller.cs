using System.Text.Json;
using System.Text.Json.Nodes;
using Admission.Kubernetes;
using Admission.Operator.Audit;
using Admission.Policies.Model;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Admission.Operator.Uninstall;

/// <summary>What <c>admission uninstall</c> works on: the release's namespace and the names the chart gave its objects.</summary>
internal sealed record UninstallTargets(string Namespace, string WebhookConfiguration, string Deployment, TimeSpan PodTimeout);

/// <summary>
/// The chart's pre-delete hook (issue 14): takes the gate down so that no ChangeApproval is left
/// held by the audit finalizer to block a namespace's deletion. The order matters:
/// (1) the ValidatingWebhookConfiguration goes first, because the webhook fails closed and once the
/// operator is gone it would refuse the very patches step 3 makes (the gate is being uninstalled
/// anyway); (2) the operator is scaled to 0 and its pods waited for, because while it runs its
/// leader puts the finalizer back on Approved ChangeApprovals; (3) then the finalizer comes off
/// every ChangeApproval. Each step is idempotent, so a second run (a retried hook) is harmless.
/// </summary>
internal sealed class ChartUninstaller(IKubernetes client, TimeProvider clock, TextWriter output)
{
    private const int ConflictRetries = 5;

    /// <summary>Runs the three steps; the return value is what is left undone (empty: all done).</summary>
    public async Task<IReadOnlyList<string>> RunAsync(UninstallTargets targets, CancellationToken cancellationToken)
    {
        await DeleteWebhookConfigurationAsync(targets.WebhookConfiguration, cancellationToken).ConfigureAwait(false);
        var running = await StopOperatorAsync(targets, cancellationToken).ConfigureAwait(false);
        if (running.Count > 0)
        {
            // With an operator pod still up, a removed finalizer would be put back: stop here and say so.
            return [$"pods of deployment {targets.Namespace}/{targets.Deployment} still running after {Describe(targets.PodTimeout)}: {string.Join(", ", running)}",
                    "the audit finalizer was not removed from any ChangeApproval (run again once those pods are gone)"];
        }
        return await RemoveFinalizersAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task DeleteWebhookConfigurationAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await client.AdmissionregistrationV1.DeleteValidatingWebhookConfigurationAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
            output.WriteLine($"deleted ValidatingWebhookConfiguration {name}: the gate is off");
        }
        catch (HttpOperationException e) when (ApiError.From(e).IsNotFound)
        {
            output.WriteLine($"ValidatingWebhookConfiguration {name} is already gone");
        }
    }

    /// <returns>The names of the operator's pods still there when the wait ran out (empty: none).</returns>
    private async Task<IReadOnlyList<string>> StopOperatorAsync(UninstallTargets targets, CancellationToken cancellationToken)
    {
        V1Deployment deployment;
        try
        {
            deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(targets.Deployment, targets.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (ApiError.From(e).IsNotFound)
        {
            output.WriteLine($"deployment {targets.Namespace}/{targets.Deployment} is already gone");
            return [];
        }
        if (deployment.Spec?.Replicas is not 0)
        {
            var scale = new V1Patch("{\"spec\":{\"replicas\":0}}", V1Patch.PatchType.MergePatch);
            await client.AppsV1.PatchNamespacedDeploymentScaleAsync(scale, targets.Deployment, targets.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            output.WriteLine($"scaled deployment {targets.Namespace}/{targets.Deployment} to 0 replicas (was {deployment.Spec?.Replicas?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unset"})");
        }
        else
        {
            output.WriteLine($"deployment {targets.Namespace}/{targets.Deployment} is already at 0 replicas");
        }

        var labels = deployment.Spec?.Selector?.MatchLabels;
        if (labels is null || labels.Count == 0)
        {
            // No selector to find its pods by (a chart's Deployment always has one): nothing to wait for.
            return [];
        }
        var selector = string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
        var deadline = clock.GetUtcNow() + targets.PodTimeout;
        while (true)
        {
            var pods = await client.CoreV1.ListNamespacedPodAsync(targets.Namespace, labelSelector: selector, cancellationToken: cancellationToken).ConfigureAwait(false);
            var names = pods.Items.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal).ToList();
            if (names.Count == 0)
            {
                output.WriteLine($"no pods of deployment {targets.Namespace}/{targets.Deployment} are left");
                return [];
            }
            if (clock.GetUtcNow() >= deadline) return names;
            await Task.Delay(TimeSpan.FromMilliseconds(500), clock, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<string>> RemoveFinalizersAsync(CancellationToken cancellationToken)
    {
        var list = await client.CustomObjects.ListClusterCustomObjectAsync<JsonElement>(
            ChangeApproval.Group, ChangeApproval.Version, ChangeApproval.Plural, cancellationToken: cancellationToken).ConfigureAwait(false);
        var left = new List<string>();
        var removed = 0;
        foreach (var item in list.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array ? items.EnumerateArray() : default)
        {
            if (!ObjectFields.HasFinalizer(item, AuditFinalizer.Name)) continue;
            if (ObjectFields.Namespace(item) is not { } ns || ObjectFields.Name(item) is not { } name) continue;
            switch (await RemoveOneAsync(ns, name, item, cancellationToken).ConfigureAwait(false))
            {
                case null:
                    removed++;
                    output.WriteLine($"removed the audit finalizer from ChangeApproval {ns}/{name}");
                    break;
                case { } problem:
                    left.Add($"ChangeApproval {ns}/{name} still has the audit finalizer {AuditFinalizer.Name}: {problem}");
                    break;
            }
        }
        output.WriteLine(removed == 0 && left.Count == 0
            ? "no ChangeApproval carries the audit finalizer"
            : $"the audit finalizer removed from {removed} ChangeApproval(s)");
        return left;
    }

    /// <returns>Null when the finalizer is off (or the object gone), otherwise why not.</returns>
    private async Task<string?> RemoveOneAsync(string ns, string name, JsonElement current, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var finalizers = AuditFinalizer.Finalizers(current);
            var index = finalizers.ToList().IndexOf(AuditFinalizer.Name);
            if (index < 0) return null;
            // Test, then remove, that one entry: another controller's finalizer is never dropped, and
            // if the list changed meanwhile the test fails and the object is read again.
            var path = $"/metadata/finalizers/{index.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
            var ops = new JsonArray(
                new JsonObject { ["op"] = "test", ["path"] = path, ["value"] = AuditFinalizer.Name },
                new JsonObject { ["op"] = "remove", ["path"] = path });
            try
            {
                await client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(ops.ToJsonString(), V1Patch.PatchType.JsonPatch),
                    ChangeApproval.Group, ChangeApproval.Version, ns, ChangeApproval.Plural, name, cancellationToken: cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (HttpOperationException e) when (ApiError.From(e).IsNotFound)
            {
                return null;
            }
            catch (HttpOperationException e) when (ApiError.From(e) is { IsConflict: true } or { IsInvalid: true } && attempt < ConflictRetries)
            {
                try
                {
                    current = await client.CustomObjects.GetNamespacedCustomObjectAsync<JsonElement>(
                        ChangeApproval.Group, ChangeApproval.Version, ns, ChangeApproval.Plural, name, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (HttpOperationException g) when (ApiError.From(g).IsNotFound)
                {
                    return null;
                }
            }
            catch (HttpOperationException e)
            {
                return $"the API server answered {ApiError.From(e).Summary}";
            }
        }
    }

    private static string Describe(TimeSpan t) => Policies.GoDuration.Format(t);
}
