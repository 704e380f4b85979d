using System.Net.Http.Headers;

namespace Admission.Operator.Tests.Support;

/// <summary>
/// An AdmissionReview request body, as kube-apiserver sends it, started from one of the
/// examples in examples/reviews/ and edited for a case. Each one gets a fresh uid.
/// </summary>
public sealed class Review
{
    private Review(JsonObject root)
    {
        Root = root;
        Request["uid"] = Guid.NewGuid().ToString();
    }

    public JsonObject Root { get; }
    public JsonObject Request => Root["request"]!.AsObject();
    public string Uid => (string)Request["uid"]!;
    public JsonObject? Object => Request["object"] as JsonObject;
    public JsonObject? OldObject => Request["oldObject"] as JsonObject;

    public static Review Example(string name) => FromFile(Repo.Example("reviews", name + ".json"));

    public static Review FromFile(string path) => new(JsonNode.Parse(File.ReadAllText(path))!.AsObject());

    /// <summary>A review built in a test (for shapes no example has, such as a CONNECT).</summary>
    public static Review Of(JsonObject root) => new(root);

    public Review Clone() => new(Root.DeepClone().AsObject());

    public Review Edit(Action<JsonObject> edit)
    {
        edit(Request);
        return this;
    }

    /// <summary>The requesting user; uid and extra of the example are kept unless replaced.</summary>
    public Review As(string username, params string[] groups)
    {
        var user = Request["userInfo"] as JsonObject ?? [];
        user["username"] = username;
        user["groups"] = new JsonArray([.. groups.Select(g => (JsonNode?)JsonValue.Create(g))]);
        Request["userInfo"] = user;
        return this;
    }

    public Review WithExtra(string key, params string[] values)
    {
        var user = Request["userInfo"]!.AsObject();
        var extra = user["extra"] as JsonObject ?? [];
        extra[key] = new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
        user["extra"] = extra;
        return this;
    }

    /// <summary>Renames the object everywhere kube-apiserver names it.</summary>
    public Review Named(string name)
    {
        Request["name"] = name;
        foreach (var o in Objects()) o["metadata"]!["name"] = name;
        return this;
    }

    public Review Operation(string operation)
    {
        Request["operation"] = operation;
        return this;
    }

    public Review DryRun(bool dryRun = true)
    {
        Request["dryRun"] = dryRun;
        return this;
    }

    /// <summary>Sets an image on the new object (container found by name in containers or initContainers).</summary>
    public Review Image(string container, string image)
    {
        var spec = Object!["spec"]!["template"]!["spec"]!.AsObject();
        foreach (var list in new[] { "containers", "initContainers" })
        {
            foreach (var c in spec[list] as JsonArray ?? [])
            {
                if ((string?)c!["name"] == container) c["image"] = image;
            }
        }
        return this;
    }

    public Review Annotate(JsonObject? target, string key, string value)
    {
        var meta = target!["metadata"]!.AsObject();
        var annotations = meta["annotations"] as JsonObject ?? [];
        annotations[key] = value;
        meta["annotations"] = annotations;
        return this;
    }

    /// <summary>Moves a ChangeApproval's window to times around the real clock (the server decides on it).</summary>
    public Review ApprovalWindow(DateTimeOffset notBefore, DateTimeOffset expiresAt)
    {
        foreach (var o in Objects())
        {
            o["spec"]!["notBefore"] = Time(notBefore);
            o["spec"]!["expiresAt"] = Time(expiresAt);
        }
        return this;
    }

    public static JsonArray Entries(params (string Approver, DateTimeOffset At)[] entries) =>
        new([.. entries.Select(e => (JsonNode?)new JsonObject { ["approver"] = e.Approver, ["approvedAt"] = Time(e.At) })]);

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public string ToJson() => Root.ToJsonString();

    public StringContent Content() => new(ToJson(), Encoding.UTF8, "application/json");

    private IEnumerable<JsonObject> Objects()
    {
        if (Object is { } o) yield return o;
        if (OldObject is { } old) yield return old;
    }
}

/// <summary>The parts of an AdmissionReview response the tests assert on.</summary>
public sealed record ReviewAnswer(
    HttpStatusCode HttpStatus,
    string ContentType,
    string ApiVersion,
    string Kind,
    string Uid,
    bool Allowed,
    int? Code,
    string? Message,
    IReadOnlyList<string> Warnings,
    IReadOnlyDictionary<string, string> AuditAnnotations,
    string Body)
{
    public string? Decision => AuditAnnotations.GetValueOrDefault("decision");

    public string? Approval => AuditAnnotations.GetValueOrDefault("approval");

    public static ReviewAnswer Parse(HttpStatusCode status, string? contentType, string body)
    {
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        var response = root.GetProperty("response");
        int? code = null;
        string? message = null;
        if (response.TryGetProperty("status", out var st) && st.ValueKind == JsonValueKind.Object)
        {
            code = st.TryGetProperty("code", out var c) ? c.GetInt32() : null;
            message = st.TryGetProperty("message", out var m) ? m.GetString() : null;
        }
        var warnings = response.TryGetProperty("warnings", out var w) && w.ValueKind == JsonValueKind.Array
            ? w.EnumerateArray().Select(x => x.GetString()!).ToList()
            : [];
        var annotations = response.TryGetProperty("auditAnnotations", out var a) && a.ValueKind == JsonValueKind.Object
            ? a.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)
            : [];
        return new ReviewAnswer(status, contentType ?? "",
            root.GetProperty("apiVersion").GetString()!, root.GetProperty("kind").GetString()!,
            response.GetProperty("uid").GetString()!, response.GetProperty("allowed").GetBoolean(),
            code, message, warnings, annotations, body);
    }
}

public static class WebhookCalls
{
    /// <summary>POSTs a review to /validate and reads the AdmissionReview answer (failing on anything else).</summary>
    public static async Task<ReviewAnswer> ReviewAsync(this HttpClient client, Review review)
    {
        using var content = review.Content();
        using var response = await client.PostAsync("validate", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST /validate answered {(int)response.StatusCode}: {body}");
        return ReviewAnswer.Parse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
    }

    /// <summary>Sends raw bytes to /validate and returns the status and body text.</summary>
    public static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> SendRawAsync(
        this HttpClient client, HttpMethod method, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, "validate") { Content = content };
        var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public static ByteArrayContent Json(string text) => Bytes(Encoding.UTF8.GetBytes(text), "application/json");

    public static ByteArrayContent Bytes(byte[] bytes, string? contentType)
    {
        var content = new ByteArrayContent(bytes);
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    public static async Task<string> GetTextAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return $"{(int)response.StatusCode}\n{await response.Content.ReadAsStringAsync()}";
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing with the last value seen.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        T last;
        while (true)
        {
            last = await probe();
            if (condition(last)) return last;
            if (watch.Elapsed > timeout) break;
            await Task.Delay(100);
        }
        Assert.Fail($"{what} did not happen within {timeout.TotalSeconds:F0}s; last seen: {last}");
        return last;
    }
}
