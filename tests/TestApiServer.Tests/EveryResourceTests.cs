namespace Admission.TestApiServer.Tests;

/// <summary>Every stored type in the catalog goes through the same verbs at its own URLs.</summary>
public sealed class EveryResourceTests : PaymentsTest
{
    public static TheoryData<string, string> StoredTypes()
    {
        var data = new TheoryData<string, string>();
        foreach (var resource in ResourceCatalog.Defaults.Where(d => !d.CreateOnly))
        {
            data.Add(resource.Group, resource.Plural);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(StoredTypes))]
    public async Task Create_get_list_update_watch_and_delete(string group, string plural)
    {
        var resource = _server.Resources.Find(group, plural)!;
        var prefix = group.Length == 0 ? "/api/v1" : $"/apis/{group}/{resource.Version}";
        var collection = resource.Namespaced ? $"{prefix}/namespaces/payments/{plural}" : $"{prefix}/{plural}";
        var name = "item-1";
        var body = new JsonObject
        {
            ["apiVersion"] = resource.ApiVersion,
            ["kind"] = resource.Kind,
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["pick"] = "me" } },
        };
        if (resource.CustomResource)
        {
            // Custom resources are validated against their CRD's schema: give them the required fields.
            body["spec"] = Servers.ChangeApproval("payments", name)["spec"]!.DeepClone();
        }

        await using var watch = await RawWatch.OpenAsync(_server, Servers.Alice, $"{collection}?watch=true&resourceVersion={_server.ResourceVersion}");
        var (created, createdBody, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Post, collection, body);
        Assert.Equal(201, created);
        Assert.Equal(resource.Namespaced ? "payments" : null, createdBody!["metadata"]!["namespace"]?.ToString());

        var (got, gotBody, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Get, $"{collection}/{name}");
        Assert.Equal(200, got);
        Assert.Equal(createdBody["metadata"]!["uid"]!.ToString(), gotBody!["metadata"]!["uid"]!.ToString());

        var (_, listBody, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Get, $"{collection}?labelSelector=pick%3Dme");
        Assert.Equal(resource.ListKind, listBody!["kind"]!.ToString());
        Assert.Equal(name, Assert.Single(listBody["items"]!.AsArray())!["metadata"]!["name"]!.ToString());

        gotBody["metadata"]!["annotations"] = new JsonObject { ["touched"] = "yes" };
        var (updated, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Put, $"{collection}/{name}", gotBody);
        Assert.Equal(200, updated);

        var (deleted, _, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Delete, $"{collection}/{name}");
        Assert.Equal(200, deleted);
        // A Namespace is only marked; the namespace controller removes it soon after.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var (missing, missingBody, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Get, $"{collection}/{name}");
        while (missing != 404 && plural == "namespaces" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            (missing, missingBody, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Get, $"{collection}/{name}");
        }

        Assert.Equal(404, missing);
        Assert.Equal($"{resource.GroupResource} \"{name}\" not found", missingBody!["message"]!.ToString());

        var types = new List<string>();
        while (types.LastOrDefault() != "DELETED" && (await watch.NextAsync(TimeSpan.FromSeconds(5)))?["type"]?.ToString() is { } type)
        {
            types.Add(type);
        }

        // The namespace controller's condition writes come between the mark and the removal.
        List<string> expected = plural == "namespaces" ? ["ADDED", "MODIFIED", "MODIFIED", "MODIFIED", "DELETED"] : ["ADDED", "MODIFIED", "DELETED"];
        Assert.Equal(expected, types);
    }

    [Theory]
    [MemberData(nameof(StoredTypes))]
    public async Task Discovery_lists_each_type_with_its_scope_and_subresources(string group, string plural)
    {
        var resource = _server.Resources.Find(group, plural)!;
        var (_, doc, _) = await _server.SendAsync(Servers.Alice, HttpMethod.Get, group.Length == 0 ? "/api/v1" : $"/apis/{group}/{resource.Version}");
        var entries = doc!["resources"]!.AsArray().Select(r => r!["name"]!.ToString()).ToList();
        Assert.Contains(plural, entries);
        foreach (var sub in resource.SubresourceNames)
        {
            Assert.Contains($"{plural}/{sub}", entries);
        }

        var entry = doc["resources"]!.AsArray().First(r => r!["name"]!.ToString() == plural)!;
        Assert.Equal(resource.Namespaced, entry["namespaced"]!.GetValue<bool>());
        Assert.Equal(resource.Kind, entry["kind"]!.ToString());
    }
}
