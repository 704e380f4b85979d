using System.Net.Http.Headers;

namespace Admission.TestApiServer.Tests.Support;

/// <summary>A server with the users every test uses.</summary>
internal static class Servers
{
    public const string Alice = "alice";
    public const string Bob = "bob";
    public const string Admin = "admin";

    public static async Task<TestApiServer> StartAsync(TestApiServerOptions? options = null)
    {
        var server = await TestApiServer.StartAsync(options ?? new TestApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) });
        server.AddUser("alice-token", Alice, ["devs"]);
        server.AddUser("bob-token", Bob, ["tier1-approvers"], extra: new Dictionary<string, IReadOnlyList<string>> { ["team"] = ["payments"] });
        server.AddUser("admin-token", Admin, ["system:masters"]);
        return server;
    }

    public static async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(
        this TestApiServer server, string user, HttpMethod method, string path, JsonNode? body = null, string contentType = "application/json")
    {
        using var client = server.CreateHttpClient(user);
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    public static JsonObject Namespace(string name, IDictionary<string, string>? labels = null) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject((labels ?? new Dictionary<string, string>()).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
        },
    };

    public static JsonObject Deployment(string ns, string name, string image = "nginx:1", int replicas = 1) => (JsonObject)JsonNode.Parse($$$"""
        {
          "apiVersion": "apps/v1", "kind": "Deployment",
          "metadata": {"name": "{{{name}}}", "namespace": "{{{ns}}}", "labels": {"app": "{{{name}}}"}},
          "spec": {
            "replicas": {{{replicas}}},
            "selector": {"matchLabels": {"app": "{{{name}}}"}},
            "template": {
              "metadata": {"labels": {"app": "{{{name}}}"}},
              "spec": {"containers": [{"name": "app", "image": "{{{image}}}", "ports": [{"containerPort": 80}]}]}
            }
          }
        }
        """)!;

    public static JsonObject ChangeApproval(string ns, string name, string target = "web", string requestedBy = "alice") => (JsonObject)JsonNode.Parse($$$"""
        {
          "apiVersion": "approvals.admission.dev/v1alpha1", "kind": "ChangeApproval",
          "metadata": {"name": "{{{name}}}", "namespace": "{{{ns}}}"},
          "spec": {
            "target": {"kind": "Deployment", "name": "{{{target}}}"},
            "reason": "Roll out 2.4.1",
            "requestedBy": "{{{requestedBy}}}",
            "expiresAt": "2030-01-01T00:00:00Z"
          }
        }
        """)!;
}
