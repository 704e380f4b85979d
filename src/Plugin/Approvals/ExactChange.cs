using System.Text.Json;
using System.Text.Json.Nodes;
using Admission.Plugin.Cli;
using Admission.Plugin.Kube;
using Admission.Plugin.Text;
using Admission.Policies;
using Admission.Policies.Model;

namespace Admission.Plugin.Approvals;

/// <summary>
/// A manifest previewed against the cluster (contract section 2.5): the operation it would be, the
/// change digest (and base) the webhook computed from what kube-apiserver would store, the live
/// object, and the previewed one.
/// </summary>
public sealed record PreviewedChange(Operation Operation, string Digest, string? Base, JsonElement Manifest, JsonElement? Live, JsonElement Previewed);

/// <summary>Why a recorded change no longer matches a fresh preview: which of base and result differ.</summary>
public sealed record ChangeMismatch(bool BaseDiffers, bool ResultDiffers)
{
    public bool Matches => !BaseDiffers && !ResultDiffers;

    public string Describe(ApprovedChange recorded, PreviewedChange now) => (BaseDiffers, ResultDiffers) switch
    {
        (true, true) => $"the live object changed since the request (base {recorded.Base ?? "none"} then, {now.Base ?? "none"} now) and so does the result (digest {recorded.Digest} then, {now.Digest} now)",
        (true, false) => $"the live object changed since the request: base {recorded.Base ?? "none"} then, {now.Base ?? "none"} now",
        (false, true) => $"the manifest no longer previews to the recorded result: digest {recorded.Digest} then, {now.Digest} now (a defaulting or mutating webhook may have changed)",
        _ => "it still matches",
    };
}

public static class ExactChange
{
    private const string WarningPrefix = "change digest ";
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>
    /// Previews <paramref name="manifest"/>: the same write the user will make (CREATE when the target
    /// does not exist, else UPDATE), with the preview annotation and <c>dryRun=All</c>, and reads the
    /// webhook's <c>change digest sha256:… base sha256:…</c> warning.
    /// </summary>
    public static async Task<PreviewedChange> PreviewAsync(IClusterClient client, string ns, TargetRef target, JsonElement manifest, CancellationToken cancellationToken)
    {
        var live = await client.GetAsync(target.Resource, ns, target.Name, cancellationToken).ConfigureAwait(false);
        var body = JsonNode.Parse(manifest.GetRawText())!.AsObject();
        var metadata = body["metadata"] as JsonObject ?? new JsonObject();
        body["metadata"] = metadata;
        metadata["namespace"] = ns;
        var annotations = metadata["annotations"] as JsonObject ?? new JsonObject();
        metadata["annotations"] = annotations;
        annotations[Previews.Annotation] = "true";
        var operation = live is null ? Operation.Create : Operation.Update;
        var written = await client.DryRunAsync(target.Resource, ns, live is null ? null : target.Name, body, cancellationToken).ConfigureAwait(false);
        if (ParseWarning(written.Warnings) is not { } digests)
        {
            var said = written.Warnings.FirstOrDefault(w => w.StartsWith("no change digest", StringComparison.Ordinal));
            throw new CommandFailedException(said is not null
                ? $"error: the preview of {target.Display} gave no change digest: {said}."
                : $"error: the preview of {target.Display} in namespace {ns} returned no change digest: the admission webhook did not answer it " +
                  "(is the namespace guarded, and is Admission installed?). No request was created.");
        }
        if (operation == Operation.Update && digests.Base is null)
        {
            throw new CommandFailedException($"error: the preview of {target.Display} returned no base digest for an UPDATE; no request was created.");
        }
        return new PreviewedChange(operation, digests.Digest, digests.Base, manifest, live, written.Object);
    }

    /// <summary>The digests of the webhook's preview warning (contract section 2.5), or null when there is none.</summary>
    public static (string Digest, string? Base)? ParseWarning(IEnumerable<string> warnings)
    {
        foreach (var warning in warnings)
        {
            if (!warning.StartsWith(WarningPrefix, StringComparison.Ordinal)) continue;
            var parts = warning[WarningPrefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 1 && IsDigest(parts[0]))
            {
                var @base = parts.Length >= 3 && parts[1] == "base" && IsDigest(parts[2]) ? parts[2] : null;
                return (parts[0], @base);
            }
        }
        return null;
    }

    private static bool IsDigest(string text) =>
        text.StartsWith(Policies.Digest.ChangeDigest.Prefix, StringComparison.Ordinal) && text.Length == Policies.Digest.ChangeDigest.Prefix.Length + 64 &&
        text.AsSpan(Policies.Digest.ChangeDigest.Prefix.Length).IndexOfAnyExcept(LowerHex) < 0;

    /// <summary>Whether a fresh preview still matches what was recorded.</summary>
    public static ChangeMismatch Compare(ApprovedChange recorded, PreviewedChange now) =>
        new(!string.Equals(recorded.Base, now.Base, StringComparison.Ordinal), !string.Equals(recorded.Digest, now.Digest, StringComparison.Ordinal));

    /// <summary><c>spec.change</c> as recorded: digest, base (UPDATE) and the manifest as the requester will apply it.</summary>
    public static JsonObject ToSpec(PreviewedChange change)
    {
        var spec = new JsonObject { ["digest"] = change.Digest };
        if (change.Base is not null) spec["base"] = change.Base;
        spec["manifest"] = JsonNode.Parse(change.Manifest.GetRawText());
        return spec;
    }
}
