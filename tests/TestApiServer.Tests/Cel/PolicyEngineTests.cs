namespace Admission.TestApiServer.Tests.Cel;

/// <summary>ValidatingAdmissionPolicy semantics (Kubernetes 1.30), on ConfigMaps: what matches, what runs, how a denial reads.</summary>
public sealed class PolicyEngineTests : IAsyncLifetime
{
    private const string ConfigMaps = "/api/v1/namespaces/payments/configmaps";
    private TestApiServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await Servers.StartAsync();
        _server.Seed(Servers.Namespace("payments", new Dictionary<string, string> { ["tier"] = "1" }));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static JsonObject Policy(string validation, JsonObject? extra = null)
    {
        var spec = new JsonObject
        {
            ["failurePolicy"] = "Fail",
            ["matchConstraints"] = JsonNode.Parse("""{"resourceRules":[{"apiGroups":[""],"apiVersions":["v1"],"operations":["CREATE","UPDATE"],"resources":["configmaps"]}]}"""),
            ["validations"] = new JsonArray(new JsonObject { ["expression"] = validation, ["message"] = "refused by policy" }),
        };
        foreach (var (key, value) in extra ?? [])
        {
            spec[key] = value?.DeepClone();
        }

        return new JsonObject
        {
            ["apiVersion"] = "admissionregistration.k8s.io/v1", ["kind"] = "ValidatingAdmissionPolicy",
            ["metadata"] = new JsonObject { ["name"] = "p" }, ["spec"] = spec,
        };
    }

    private static JsonObject Binding(string actions = "Deny", JsonObject? matchResources = null, string policy = "p")
    {
        var spec = new JsonObject { ["policyName"] = policy, ["validationActions"] = new JsonArray(actions) };
        if (matchResources is not null)
        {
            spec["matchResources"] = matchResources;
        }

        return new JsonObject
        {
            ["apiVersion"] = "admissionregistration.k8s.io/v1", ["kind"] = "ValidatingAdmissionPolicyBinding",
            ["metadata"] = new JsonObject { ["name"] = "b" }, ["spec"] = spec,
        };
    }

    private static JsonObject ConfigMap(string name, string value = "x") => new()
    {
        ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app"] = "web" } },
        ["data"] = new JsonObject { ["key"] = value },
    };

    /// <summary>name, policy validation, extra policy spec, binding, expected code.</summary>
    public static TheoryData<string, string, string, string, int> Rows() => new()
    {
        { "false validation denies", "object.data.key == 'ok'", "{}", "{}", 422 },
        { "true validation allows", "object.data.key == 'x'", "{}", "{}", 201 },
        { "request fields are there", "request.userInfo.username == 'alice' && request.operation == 'CREATE' && request.namespace == 'payments'", "{}", "{}", 201 },
        { "oldObject is null on create", "oldObject == null", "{}", "{}", 201 },
        { "variables run in order", "variables.b == 'xx'", """{"variables":[{"name":"a","expression":"object.data.key"},{"name":"b","expression":"variables.a + variables.a"}]}""", "{}", 201 },
        { "a false matchCondition skips the policy", "false", """{"matchConditions":[{"name":"never","expression":"false"}]}""", "{}", 201 },
        { "a true matchCondition applies it", "false", """{"matchConditions":[{"name":"always","expression":"true"}]}""", "{}", 422 },
        { "excluded resources are skipped", "false", """{"matchConstraints":{"resourceRules":[{"apiGroups":[""],"apiVersions":["v1"],"operations":["CREATE"],"resources":["configmaps"]}],"excludeResourceRules":[{"apiGroups":[""],"apiVersions":["v1"],"operations":["CREATE"],"resources":["configmaps"]}]}}""", "{}", 201 },
        { "other operations are skipped", "false", """{"matchConstraints":{"resourceRules":[{"apiGroups":[""],"apiVersions":["v1"],"operations":["DELETE"],"resources":["configmaps"]}]}}""", "{}", 201 },
        { "a namespaceSelector that misses skips", "false", """{"matchConstraints":{"resourceRules":[{"apiGroups":[""],"apiVersions":["v1"],"operations":["CREATE"],"resources":["configmaps"]}],"namespaceSelector":{"matchLabels":{"tier":"2"}}}}""", "{}", 201 },
        { "an objectSelector that matches applies", "false", """{"matchConstraints":{"resourceRules":[{"apiGroups":[""],"apiVersions":["v1"],"operations":["CREATE"],"resources":["configmaps"]}],"objectSelector":{"matchLabels":{"app":"web"}}}}""", "{}", 422 },
        { "binding matchResources narrows", "false", "{}", """{"matchResources":{"resourceRules":[{"apiGroups":[""],"apiVersions":["v1"],"operations":["UPDATE"],"resources":["configmaps"]}]}}""", 201 },
        { "Warn alone does not deny", "false", "{}", """{"actions":"Warn"}""", 201 },
        { "an evaluation error fails closed", "object.data.missing == 'x'", "{}", "{}", 422 },
        { "an evaluation error with Ignore is allowed", "object.data.missing == 'x'", """{"failurePolicy":"Ignore"}""", "{}", 201 },
        { "params are not supported", "true", """{"paramKind":{"apiVersion":"v1","kind":"ConfigMap"}}""", "{}", 422 },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task Policy_semantics(string name, string validation, string extraSpec, string bindingSpec, int expected)
    {
        var binding = JsonNode.Parse(bindingSpec)!.AsObject();
        _server.Seed(Policy(validation, JsonNode.Parse(extraSpec)!.AsObject()));
        _server.Seed(Binding(binding["actions"]?.ToString() ?? "Deny", binding["matchResources"]?.DeepClone().AsObject()));

        var (code, body, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, ConfigMaps, ConfigMap("cm"));

        Assert.True(code == expected, $"{name}: {code} {body?["message"]}");
    }

    [Fact]
    public async Task A_denial_reads_as_kube_apiserver_writes_it()
    {
        var policy = Policy("object.data.key == 'ok'");
        policy["spec"]!["validations"]![0]!["messageExpression"] = "'key is ' + object.data.key";
        _server.Seed(policy);
        _server.Seed(Binding());

        var (code, body, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, ConfigMaps, ConfigMap("cm"));

        Assert.Equal(422, code);
        Assert.Equal("Invalid", (string?)body!["reason"]);
        var message = "configmaps \"cm\" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: key is x";
        Assert.Equal(message, (string?)body["message"]);
        Assert.Equal("ValidatingAdmissionPolicy 'p' with binding 'b' denied request: key is x", (string?)body["details"]!["causes"]![0]!["message"]);
    }

    [Fact]
    public async Task A_binding_without_its_policy_does_nothing()
    {
        _server.Seed(Binding(policy: "missing"));

        var (code, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, ConfigMaps, ConfigMap("cm"));

        Assert.Equal(201, code);
    }
}
