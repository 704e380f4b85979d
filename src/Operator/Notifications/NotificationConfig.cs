using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Admission.Policies;
using Admission.Policies.Manifests;

namespace Admission.Operator.Notifications;

internal enum ReceiverType
{
    /// <summary>A generic JSON webhook: the event as JSON, signed with HMAC-SHA256 when a secret is set.</summary>
    Webhook,

    /// <summary>A Slack-compatible incoming webhook: <c>{"text": ...}</c>.</summary>
    Slack,
}

/// <summary>
/// One place notifications go: a URL, and which ChangeApprovals it hears about (by namespace and
/// by a label selector on the ChangeApproval). The file holding these is a Secret: URLs of
/// incoming webhooks and signing secrets are credentials.
/// </summary>
internal sealed record Receiver(
    string Name, ReceiverType Type, Uri Url, string? Secret, string? CaPem,
    IReadOnlySet<string> Namespaces, LabelSelector? Selector)
{
    public bool Routes(string ns, IReadOnlyDictionary<string, string> labels) =>
        (Namespaces.Count == 0 || Namespaces.Contains(ns)) && (Selector is null || Selector.Matches(labels));
}

internal sealed record NotificationConfig(IReadOnlyList<Receiver> Receivers)
{
    public static readonly NotificationConfig None = new([]);
}

/// <summary>Reads the notifications file (YAML or JSON); every problem names the file, line and field.</summary>
internal static partial class NotificationConfigReader
{
    public static NotificationConfig Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException([new InputError(path, null, "", "cannot be read: " + e.Message)]);
        }
        return Parse(text, path);
    }

    public static NotificationConfig Parse(string text, string source)
    {
        var errors = new List<InputError>();
        var stream = Yaml.Load(text, source, errors);
        if (stream is null) throw new InputException(errors);
        if (stream.Documents.Count == 0) return NotificationConfig.None;
        var root = YamlJson.Convert(stream.Documents[0].RootNode, source, errors);
        if (errors.Count > 0) throw new InputException(errors);
        if (root is not JsonObject obj)
        {
            throw new InputException([new InputError(source, 1, "", "must be a mapping with a 'receivers' list")]);
        }
        foreach (var (key, _) in obj)
        {
            if (key != "receivers") errors.Add(new InputError(source, null, key, "unknown field (expected 'receivers')"));
        }
        var receivers = new List<Receiver>();
        if (obj["receivers"] is JsonArray list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (Read(list[i], $"receivers[{i}]", source, errors) is { } r) receivers.Add(r);
            }
        }
        else if (obj["receivers"] is not null)
        {
            errors.Add(new InputError(source, null, "receivers", "must be a list"));
        }
        foreach (var dup in receivers.GroupBy(r => r.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add(new InputError(source, null, "receivers", $"the name \"{dup.Key}\" is used more than once"));
        }
        if (errors.Count > 0) throw new InputException(errors);
        return new NotificationConfig(receivers);
    }

    private static Receiver? Read(JsonNode? node, string at, string source, List<InputError> errors)
    {
        if (node is not JsonObject o)
        {
            errors.Add(new InputError(source, null, at, "must be a mapping"));
            return null;
        }
        var before = errors.Count;
        string[] known = ["name", "type", "url", "secret", "ca", "namespaces", "selector"];
        foreach (var (key, _) in o)
        {
            if (Array.IndexOf(known, key) < 0) errors.Add(new InputError(source, null, $"{at}.{key}", "unknown field (expected one of " + string.Join(", ", known) + ")"));
        }
        var name = Str(o, "name");
        if (name is null || !ReceiverName().IsMatch(name))
        {
            errors.Add(new InputError(source, null, $"{at}.name", "required: a DNS label such as slack-payments (it names an annotation key and a metric label)"));
        }
        var typeText = Str(o, "type");
        ReceiverType type = default;
        if (typeText is "webhook") type = ReceiverType.Webhook;
        else if (typeText is "slack") type = ReceiverType.Slack;
        else errors.Add(new InputError(source, null, $"{at}.type", $"must be webhook or slack (got {typeText ?? "nothing"})"));
        var urlText = Str(o, "url");
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
        {
            errors.Add(new InputError(source, null, $"{at}.url", $"must be an http(s) URL (got {urlText ?? "nothing"})"));
        }
        var secret = Str(o, "secret");
        if (secret is not null && type == ReceiverType.Slack)
        {
            errors.Add(new InputError(source, null, $"{at}.secret", "only webhook receivers sign their bodies; a Slack URL is itself the secret"));
        }
        var ca = Str(o, "ca");
        if (ca is not null && !ca.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            errors.Add(new InputError(source, null, $"{at}.ca", "must be PEM certificates (-----BEGIN CERTIFICATE-----)"));
        }
        var namespaces = new HashSet<string>(StringComparer.Ordinal);
        if (o["namespaces"] is JsonArray ns)
        {
            foreach (var n in ns)
            {
                if (n is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0) namespaces.Add(s);
                else errors.Add(new InputError(source, null, $"{at}.namespaces", "must be a list of namespace names"));
            }
        }
        else if (o["namespaces"] is not null)
        {
            errors.Add(new InputError(source, null, $"{at}.namespaces", "must be a list of namespace names"));
        }
        LabelSelector? selector = null;
        if (o["selector"] is JsonObject sel)
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, _) in sel)
            {
                if (key != "matchLabels") errors.Add(new InputError(source, null, $"{at}.selector.{key}", "unknown field (only matchLabels is supported)"));
            }
            if (sel["matchLabels"] is JsonObject ml)
            {
                foreach (var (k, v) in ml)
                {
                    if (v is JsonValue jv && jv.TryGetValue<string>(out var s)) labels[k] = s;
                    else errors.Add(new InputError(source, null, $"{at}.selector.matchLabels.{k}", "must be a string"));
                }
            }
            selector = new LabelSelector(labels, []);
        }
        else if (o["selector"] is not null)
        {
            errors.Add(new InputError(source, null, $"{at}.selector", "must be a mapping with matchLabels"));
        }
        return errors.Count > before ? null : new Receiver(name!, type, url!, secret, ca, namespaces, selector);
    }

    private static string? Str(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex ReceiverName();
}
