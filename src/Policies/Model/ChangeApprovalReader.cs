using System.Globalization;
using System.Text.Json;

namespace Admission.Policies.Model;

/// <summary>
/// Reads a ChangeApproval object (JSON, as the API server stores it) into the model, collecting
/// every problem with its field path rather than stopping at the first.
/// </summary>
public static class ChangeApprovalReader
{
    public static ChangeApproval? Read(JsonElement obj, List<InputError> errors, string source = "ChangeApproval", string defaultNamespace = "")
    {
        var start = errors.Count;
        if (obj.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new InputError(source, null, "", "must be an object"));
            return null;
        }
        var meta = Child(obj, "metadata");
        var name = Str(meta, "name") ?? "";
        var ns = Str(meta, "namespace") ?? defaultNamespace;
        if (name.Length == 0 && Str(meta, "generateName") is { } gen)
        {
            name = gen;
        }
        if (name.Length == 0) errors.Add(new InputError(source, null, "metadata.name", "is required"));
        if (Child(obj, "spec") is not { ValueKind: JsonValueKind.Object } spec)
        {
            errors.Add(new InputError(source, null, "spec", "is required"));
            return null;
        }

        ApprovalTarget? target = null;
        if (Child(spec, "target") is { ValueKind: JsonValueKind.Object } t)
        {
            var group = Str(t, "apiGroup") ?? "apps";
            var kind = Str(t, "kind") ?? "";
            var targetName = Str(t, "name") ?? "";
            if (kind.Length == 0) errors.Add(new InputError(source, null, "spec.target.kind", "is required"));
            if (targetName.Length == 0) errors.Add(new InputError(source, null, "spec.target.name", "is required"));
            target = new ApprovalTarget(group, kind, targetName);
        }
        else
        {
            errors.Add(new InputError(source, null, "spec.target", "is required"));
        }

        var operations = new List<Operation>();
        if (Child(spec, "operations") is { } ops && ops.ValueKind != JsonValueKind.Null)
        {
            if (ops.ValueKind != JsonValueKind.Array)
            {
                errors.Add(new InputError(source, null, "spec.operations", "must be a list"));
            }
            else
            {
                var i = 0;
                foreach (var op in ops.EnumerateArray())
                {
                    var text = op.ValueKind == JsonValueKind.String ? op.GetString() : null;
                    if (Operations.TryParse(text, out var parsed) && parsed != Operation.Connect) { if (!operations.Contains(parsed)) operations.Add(parsed); }
                    else errors.Add(new InputError(source, null, $"spec.operations[{i}]", $"\"{op}\" is not one of CREATE, UPDATE, DELETE"));
                    i++;
                }
            }
        }
        else
        {
            operations.AddRange([Operation.Create, Operation.Update]);
        }

        var images = StrList(spec, "images", "spec.images", source, errors);
        var reason = Str(spec, "reason") ?? "";
        if (reason.Length == 0) errors.Add(new InputError(source, null, "spec.reason", "is required"));
        else if (reason.Length > 1024) errors.Add(new InputError(source, null, "spec.reason", $"must be at most 1024 characters, not {reason.Length}"));
        var requestedBy = Str(spec, "requestedBy") ?? "";
        if (requestedBy.Length == 0) errors.Add(new InputError(source, null, "spec.requestedBy", "is required"));
        var notBefore = Time(spec, "notBefore", "spec.notBefore", source, errors, required: false);
        var expiresAt = Time(spec, "expiresAt", "spec.expiresAt", source, errors, required: true);

        var approvals = new List<ApprovalEntry>();
        if (Child(spec, "approvals") is { } list && list.ValueKind != JsonValueKind.Null)
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                errors.Add(new InputError(source, null, "spec.approvals", "must be a list"));
            }
            else
            {
                var i = 0;
                foreach (var entry in list.EnumerateArray())
                {
                    var path = $"spec.approvals[{i++}]";
                    if (entry.ValueKind != JsonValueKind.Object)
                    {
                        errors.Add(new InputError(source, null, path, "must be an object"));
                        continue;
                    }
                    var approver = Str(entry, "approver") ?? "";
                    if (approver.Length == 0) errors.Add(new InputError(source, null, path + ".approver", "is required"));
                    var at = Time(entry, "approvedAt", path + ".approvedAt", source, errors, required: false);
                    var decision = EntryDecision.Approve;
                    if (Child(entry, "decision") is { } d && d.ValueKind != JsonValueKind.Null)
                    {
                        if (d.ValueKind == JsonValueKind.String && d.ValueEquals("Reject")) decision = EntryDecision.Reject;
                        else if (!(d.ValueKind == JsonValueKind.String && d.ValueEquals("Approve")))
                            errors.Add(new InputError(source, null, path + ".decision", $"{d.GetRawText()} is not one of Approve, Reject"));
                    }
                    var comment = Child(entry, "comment");
                    if (comment is { } c && c.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                        errors.Add(new InputError(source, null, path + ".comment", "must be a string"));
                    approvals.Add(new ApprovalEntry(approver, at, Str(entry, "comment"), decision));
                }
            }
        }

        var change = ReadChange(spec, source, errors);

        if (errors.Count > start || target is null || expiresAt is null)
        {
            return null;
        }
        return new ChangeApproval
        {
            Namespace = ns,
            Name = name,
            Target = target,
            Operations = operations,
            Images = images,
            Reason = reason,
            Ticket = Str(spec, "ticket"),
            RequestedBy = requestedBy,
            NotBefore = notBefore,
            ExpiresAt = expiresAt.Value,
            Approvals = approvals,
            Change = change,
            Retrospective = IsRetrospective(meta),
            Deleting = Child(meta, "deletionTimestamp") is { ValueKind: not JsonValueKind.Null },
        };
    }

    /// <summary>Whether the metadata carries <see cref="ChangeApproval.RetrospectiveLabel"/> "true".</summary>
    public static bool IsRetrospective(JsonElement? metadata) =>
        Child(metadata, "labels") is { ValueKind: JsonValueKind.Object } labels &&
        labels.TryGetProperty(ChangeApproval.RetrospectiveLabel, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() == "true";

    private static ApprovedChange? ReadChange(JsonElement spec, string source, List<InputError> errors)
    {
        if (Child(spec, "change") is not { } change || change.ValueKind == JsonValueKind.Null) return null;
        if (change.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new InputError(source, null, "spec.change", "must be an object with digest, and base for an UPDATE"));
            return null;
        }
        var digest = DigestField(change, "digest", source, errors);
        var @base = DigestField(change, "base", source, errors);
        JsonElement? manifest = null;
        if (Child(change, "manifest") is { } m && m.ValueKind != JsonValueKind.Null)
        {
            if (m.ValueKind != JsonValueKind.Object) errors.Add(new InputError(source, null, "spec.change.manifest", "must be an object (the manifest as it will be applied)"));
            else manifest = m;
        }
        if (digest is null)
        {
            if (Child(change, "digest") is null) errors.Add(new InputError(source, null, "spec.change.digest", "is required in spec.change"));
            return null;
        }
        return new ApprovedChange(digest, @base, manifest);
    }

    private static string? DigestField(JsonElement change, string name, string source, List<InputError> errors)
    {
        if (Child(change, name) is not { } v || v.ValueKind == JsonValueKind.Null) return null;
        var text = v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        if (Digest.ChangeDigest.IsWellFormed(text)) return text;
        errors.Add(new InputError(source, null, "spec.change." + name, $"{v.GetRawText()} is not a change digest (sha256: and 64 lowercase hex digits, as `admission digest` prints)"));
        return null;
    }

    internal static JsonElement? Child(JsonElement? obj, string name) =>
        obj is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out var v) ? v : null;

    internal static string? Str(JsonElement? obj, string name) =>
        Child(obj, name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    private static List<string> StrList(JsonElement obj, string name, string path, string source, List<InputError> errors)
    {
        var result = new List<string>();
        if (Child(obj, name) is not { } list || list.ValueKind == JsonValueKind.Null) return result;
        if (list.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new InputError(source, null, path, "must be a list of strings"));
            return result;
        }
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } s) result.Add(s);
            else errors.Add(new InputError(source, null, $"{path}[{i}]", "must be a non-empty string"));
            i++;
        }
        return result;
    }

    private static DateTimeOffset? Time(JsonElement obj, string name, string path, string source, List<InputError> errors, bool required)
    {
        var child = Child(obj, name);
        if (child is null || child.Value.ValueKind == JsonValueKind.Null)
        {
            if (required) errors.Add(new InputError(source, null, path, "is required"));
            return null;
        }
        if (child.Value.ValueKind == JsonValueKind.String && TryParseTime(child.Value.GetString(), out var t)) return t;
        errors.Add(new InputError(source, null, path, $"{child.Value.GetRawText()} is not an RFC 3339 time such as 2026-03-06T18:00:00Z"));
        return null;
    }

    /// <summary>RFC 3339 in UTC to the second, as Kubernetes writes times.</summary>
    public static string FormatTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>RFC 3339 as Kubernetes writes it: a date, a time and an explicit offset or Z.</summary>
    public static bool TryParseTime(string? text, out DateTimeOffset time)
    {
        time = default;
        if (text is null || text.Length < 20 || text[10] is not ('T' or 't') ||
            !(text.EndsWith('Z') || text.EndsWith('z') || text[^6] is '+' or '-'))
        {
            return false;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out time);
    }
}
