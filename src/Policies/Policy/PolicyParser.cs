using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Admission.Policies;

/// <summary>
/// Reads the policy file. Each key defaults on its own; every problem is reported with the key's
/// path and line, all at once, so a user fixes the file in one go.
/// </summary>
public static class PolicyParser
{
    private static readonly string[] TopKeys =
    [
        "apiVersion", "kind", "tier1", "workloadKinds", "requiredApprovals", "approverGroups", "breakGlassGroups",
        "policyAdminGroups", "exemptUsers", "exemptGroups", "trustedControllers", "interactiveAccess", "allowReplicaChanges",
        "allowRestarts", "requireExactChange", "approverVerb", "maxValidity", "ticketPattern",
    ];

    public static AdmissionPolicy Parse(string yaml, string source)
    {
        var errors = new List<InputError>();
        var policy = TryParse(yaml, source, errors);
        if (errors.Count > 0)
        {
            throw new InputException(errors);
        }
        return policy;
    }

    public static AdmissionPolicy TryParse(string yaml, string source, List<InputError> errors)
    {
        if (Yaml.Load(yaml, source, errors) is not { } stream)
        {
            return AdmissionPolicy.Default;
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            return AdmissionPolicy.Default;
        }
        if (stream.Documents.Count > 1)
        {
            errors.Add(new InputError(source, Yaml.Line(stream.Documents[1].RootNode), "", "holds more than one YAML document; a policy is one"));
        }
        var reader = new Reader(source, errors);
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.Add(new InputError(source, Yaml.Line(stream.Documents[0].RootNode), "", "must be a mapping of policy keys"));
            return AdmissionPolicy.Default;
        }
        var policy = AdmissionPolicy.Default;
        foreach (var (keyNode, value) in root.Children)
        {
            if (reader.Key(keyNode, "") is not { } key) continue;
            switch (key)
            {
                case "apiVersion":
                    var apiVersion = reader.String(value, key);
                    if (apiVersion is not null && apiVersion != "approvals.admission.dev/v1alpha1")
                    {
                        reader.Error(value, key, $"must be approvals.admission.dev/v1alpha1, not \"{apiVersion}\"");
                    }
                    break;
                case "kind":
                    var kind = reader.String(value, key);
                    if (kind is not null && kind != "AdmissionPolicy")
                    {
                        reader.Error(value, key, $"must be AdmissionPolicy, not \"{kind}\"");
                    }
                    break;
                case "tier1":
                    policy = ReadTier1(reader, value, policy);
                    break;
                case "workloadKinds":
                    var kinds = new List<WorkloadKind>();
                    foreach (var (item, path) in reader.Items(value, key))
                    {
                        var text = reader.String(item, path);
                        if (text is null) continue;
                        if (!WorkloadKind.TryParse(text, out var wk)) reader.Error(item, path, $"\"{text}\" is not group/Kind (for example apps/Deployment, or Kind for the core group)");
                        else if (ServedKinds.Problem(wk) is { } problem) reader.Error(item, path, problem);
                        else kinds.Add(wk);
                    }
                    policy = policy with { WorkloadKinds = kinds };
                    break;
                case "requiredApprovals":
                    if (reader.Int(value, key) is { } n)
                    {
                        if (n < 2) reader.Error(value, key, $"must be at least 2 (two-person rule), not {n}");
                        policy = policy with { RequiredApprovals = n };
                    }
                    break;
                case "approverGroups":
                    policy = policy with { ApproverGroups = reader.StringSet(value, key) };
                    break;
                case "breakGlassGroups":
                    policy = policy with { BreakGlassGroups = reader.StringSet(value, key) };
                    break;
                case "policyAdminGroups":
                    policy = policy with { PolicyAdminGroups = reader.StringSet(value, key) };
                    break;
                case "exemptUsers":
                    policy = policy with { ExemptUsers = reader.StringSet(value, key) };
                    break;
                case "exemptGroups":
                    policy = policy with { ExemptGroups = reader.StringSet(value, key) };
                    break;
                case "trustedControllers":
                    policy = policy with { TrustedControllers = reader.StringSet(value, key) };
                    break;
                case "interactiveAccess":
                    switch (reader.String(value, key))
                    {
                        case null: break;
                        case "breakGlass": policy = policy with { InteractiveAccess = InteractiveAccess.BreakGlass }; break;
                        case "deny": policy = policy with { InteractiveAccess = InteractiveAccess.Deny }; break;
                        case "allow": policy = policy with { InteractiveAccess = InteractiveAccess.Allow }; break;
                        case var other: reader.Error(value, key, $"must be breakGlass, deny or allow, not \"{other}\""); break;
                    }
                    break;
                case "allowReplicaChanges":
                    if (reader.Bool(value, key) is { } b) policy = policy with { AllowReplicaChanges = b };
                    break;
                case "allowRestarts":
                    if (reader.Bool(value, key) is { } restarts) policy = policy with { AllowRestarts = restarts };
                    break;
                case "requireExactChange":
                    if (reader.Bool(value, key) is { } exact) policy = policy with { RequireExactChange = exact };
                    break;
                case "approverVerb":
                    // Allowed empty: "" is the default, no verb required.
                    if (value is YamlScalarNode { Value: "" }) break;
                    if (reader.String(value, key) is { } verb)
                    {
                        if (!IsRbacVerb(verb)) reader.Error(value, key, $"\"{verb}\" is not an RBAC verb (lowercase letters, for example approve)");
                        else policy = policy with { ApproverVerb = verb };
                    }
                    break;
                case "maxValidity":
                    var d = reader.String(value, key);
                    if (d is null) break;
                    if (!GoDuration.TryParse(d, out var span)) reader.Error(value, key, $"\"{d}\" is not a duration (for example 168h or 90m)");
                    else if (span <= TimeSpan.Zero) reader.Error(value, key, "must be greater than zero");
                    else policy = policy with { MaxValidity = span };
                    break;
                case "ticketPattern":
                    var pattern = reader.String(value, key);
                    if (string.IsNullOrEmpty(pattern)) break;
                    try
                    {
                        // Anchored here, once: "matches it in full" must not depend on how users write it.
                        // \A and \z, not ^ and $: "$" also matches before a final newline.
                        // Checked on its own first: "a)|(b" is no regular expression, but wrapped it would be one.
                        // NonBacktracking: matching is linear in the ticket's length, so no timeout is
                        // needed and a slow machine can never turn a valid request into a denial.
                        _ = new Regex(pattern, RegexOptions.CultureInvariant);
                        var regex = new Regex(@"\A(?:" + pattern + @")\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
                        policy = policy with { TicketPattern = regex, TicketPatternText = pattern };
                    }
                    catch (ArgumentException e)
                    {
                        reader.Error(value, key, "not a valid .NET regular expression: " + e.Message);
                    }
                    catch (NotSupportedException e)
                    {
                        // Backreferences, lookarounds, atomic groups and the like need backtracking.
                        reader.Error(value, key, "uses a construct that cannot be matched in linear time (backreferences, lookarounds, atomic or balancing groups are not allowed): " + e.Message);
                    }
                    break;
                default:
                    reader.Error(keyNode, key, $"unknown key (known keys: {string.Join(", ", TopKeys)})");
                    break;
            }
        }
        return policy;
    }

    private static bool IsRbacVerb(string verb) =>
        verb.Length is > 0 and <= 63 && verb.All(c => c is (>= 'a' and <= 'z') or '-');

    private static AdmissionPolicy ReadTier1(Reader reader, YamlNode value, AdmissionPolicy policy)
    {
        if (reader.Mapping(value, "tier1") is not { } map) return policy;
        foreach (var (keyNode, child) in map.Children)
        {
            if (reader.Key(keyNode, "tier1") is not { } key) continue;
            switch (key)
            {
                case "namespaces":
                    policy = policy with { Tier1Namespaces = reader.StringSet(child, "tier1.namespaces") };
                    break;
                case "namespaceSelector":
                    if (ReadSelector(reader, child, "tier1.namespaceSelector") is { } selector)
                    {
                        policy = policy with { Tier1Selector = selector };
                    }
                    break;
                default:
                    reader.Error(keyNode, "tier1." + key, "unknown key (known keys: namespaceSelector, namespaces)");
                    break;
            }
        }
        return policy;
    }

    private static LabelSelector? ReadSelector(Reader reader, YamlNode node, string path)
    {
        if (reader.Mapping(node, path) is not { } map) return null;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var expressions = new List<LabelSelectorRequirement>();
        foreach (var (keyNode, child) in map.Children)
        {
            if (reader.Key(keyNode, path) is not { } key) continue;
            switch (key)
            {
                case "matchLabels":
                    if (reader.Mapping(child, path + ".matchLabels") is not { } m) break;
                    foreach (var (lk, lv) in m.Children)
                    {
                        if (reader.Key(lk, path + ".matchLabels") is not { } name) continue;
                        if (reader.String(lv, $"{path}.matchLabels.{name}") is { } v) labels[name] = v;
                    }
                    break;
                case "matchExpressions":
                    foreach (var (item, itemPath) in reader.Items(child, path + ".matchExpressions"))
                    {
                        if (ReadRequirement(reader, item, itemPath) is { } req) expressions.Add(req);
                    }
                    break;
                default:
                    reader.Error(keyNode, path + "." + key, "unknown key (known keys: matchLabels, matchExpressions)");
                    break;
            }
        }
        return new LabelSelector(labels, expressions);
    }

    private static LabelSelectorRequirement? ReadRequirement(Reader reader, YamlNode node, string path)
    {
        if (reader.Mapping(node, path) is not { } map) return null;
        string? key = null, op = null;
        IReadOnlyList<string> values = [];
        foreach (var (keyNode, child) in map.Children)
        {
            if (reader.Key(keyNode, path) is not { } name) continue;
            switch (name)
            {
                case "key": key = reader.String(child, path + ".key"); break;
                case "operator": op = reader.String(child, path + ".operator"); break;
                case "values": values = [.. reader.StringSet(child, path + ".values")]; break;
                default: reader.Error(keyNode, path + "." + name, "unknown key (known keys: key, operator, values)"); break;
            }
        }
        if (key is null) { reader.Error(node, path + ".key", "is required"); return null; }
        if (op is null || !LabelSelectorRequirement.Operators.Contains(op))
        {
            reader.Error(node, path + ".operator", $"must be one of {string.Join(", ", LabelSelectorRequirement.Operators)}");
            return null;
        }
        return new LabelSelectorRequirement(key, op, values);
    }

    /// <summary>Typed reads of YAML nodes that record an error instead of throwing.</summary>
    private sealed class Reader(string source, List<InputError> errors)
    {
        public void Error(YamlNode node, string path, string message) =>
            errors.Add(new InputError(source, Yaml.Line(node), path, message));

        /// <summary>A mapping key; YAML allows lists and mappings as keys, a policy does not.</summary>
        public string? Key(YamlNode keyNode, string parent)
        {
            if (keyNode is YamlScalarNode scalar) return scalar.Value ?? "";
            Error(keyNode, parent, "keys must be plain names, not lists or mappings");
            return null;
        }

        public string? String(YamlNode node, string path)
        {
            if (node is YamlScalarNode scalar && !Yaml.IsNull(scalar)) return scalar.Value;
            Error(node, path, "must be a string");
            return null;
        }

        public int? Int(YamlNode node, string path)
        {
            if (node is YamlScalarNode { Style: ScalarStyle.Plain } s && int.TryParse(s.Value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var n)) return n;
            Error(node, path, "must be an integer");
            return null;
        }

        public bool? Bool(YamlNode node, string path)
        {
            if (node is YamlScalarNode { Style: ScalarStyle.Plain } s)
            {
                if (s.Value is "true" or "True" or "TRUE") return true;
                if (s.Value is "false" or "False" or "FALSE") return false;
            }
            Error(node, path, "must be true or false");
            return null;
        }

        public YamlMappingNode? Mapping(YamlNode node, string path)
        {
            if (node is YamlMappingNode m) return m;
            if (node is YamlScalarNode s && Yaml.IsNull(s)) return new YamlMappingNode();
            Error(node, path, "must be a mapping");
            return null;
        }

        public IEnumerable<(YamlNode Item, string Path)> Items(YamlNode node, string path)
        {
            if (node is YamlScalarNode s && Yaml.IsNull(s)) yield break;
            if (node is not YamlSequenceNode seq)
            {
                Error(node, path, "must be a list");
                yield break;
            }
            for (var i = 0; i < seq.Children.Count; i++) yield return (seq.Children[i], $"{path}[{i}]");
        }

        public IReadOnlySet<string> StringSet(YamlNode node, string path)
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (item, itemPath) in Items(node, path))
            {
                if (String(item, itemPath) is { } v) set.Add(v);
            }
            return set;
        }
    }
}
