using Admission.TestApiServer.Patching;

namespace Admission.TestApiServer.Tests;

public sealed class PatchingTests
{
    [Theory]
    [InlineData("""{"a":1,"b":{"c":2}}""", """{"b":{"c":null,"d":3},"e":[1]}""", """{"a":1,"b":{"d":3},"e":[1]}""")]
    [InlineData("""{"a":[1,2]}""", """{"a":[3]}""", """{"a":[3]}""")]
    [InlineData("""{"a":{"b":1}}""", """{"a":"x"}""", """{"a":"x"}""")]
    public void Merge_patch_follows_RFC_7386(string original, string patch, string expected) =>
        Assert.Equal(expected, MergePatch.Apply(JsonNode.Parse(original), JsonNode.Parse(patch))!.ToJsonString());

    [Theory]
    [InlineData("""{"a":[1,2]}""", """[{"op":"add","path":"/a/1","value":9}]""", """{"a":[1,9,2]}""")]
    [InlineData("""{"a":[1,2]}""", """[{"op":"add","path":"/a/-","value":3}]""", """{"a":[1,2,3]}""")]
    [InlineData("""{"a":{"b":1}}""", """[{"op":"remove","path":"/a/b"}]""", """{"a":{}}""")]
    [InlineData("""{"a":1}""", """[{"op":"replace","path":"/a","value":2}]""", """{"a":2}""")]
    [InlineData("""{"a":1,"b":{}}""", """[{"op":"move","from":"/a","path":"/b/c"}]""", """{"b":{"c":1}}""")]
    [InlineData("""{"a":{"x/y":1}}""", """[{"op":"copy","from":"/a/x~1y","path":"/b"}]""", """{"a":{"x/y":1},"b":1}""")]
    [InlineData("""{"a":1}""", """[{"op":"test","path":"/a","value":1},{"op":"add","path":"/b","value":2}]""", """{"a":1,"b":2}""")]
    public void Json_patch_follows_RFC_6902(string original, string patch, string expected) =>
        Assert.Equal(expected, JsonPatch.Apply(JsonNode.Parse(original)!, (JsonArray)JsonNode.Parse(patch)!).ToJsonString());

    [Theory]
    [InlineData("""{"a":1}""", """[{"op":"test","path":"/a","value":2}]""")]
    [InlineData("""{"a":1}""", """[{"op":"remove","path":"/b"}]""")]
    [InlineData("""{"a":[1]}""", """[{"op":"replace","path":"/a/5","value":1}]""")]
    public void Json_patch_failures_are_reported(string original, string patch) =>
        Assert.ThrowsAny<PatchException>(() => JsonPatch.Apply(JsonNode.Parse(original)!, (JsonArray)JsonNode.Parse(patch)!));

    [Theory]
    // Lists with a merge key merge element by element.
    [InlineData("""{"containers":[{"name":"a","image":"1","ports":[{"containerPort":80}]},{"name":"b","image":"1"}]}""",
        """{"containers":[{"name":"a","image":"2"}]}""",
        """{"containers":[{"name":"a","image":"2","ports":[{"containerPort":80}]},{"name":"b","image":"1"}]}""")]
    // $patch: delete removes one element; $setElementOrder orders the result.
    [InlineData("""{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}""",
        """{"$setElementOrder/containers":[{"name":"c"},{"name":"a"}],"containers":[{"name":"b","$patch":"delete"}]}""",
        """{"containers":[{"name":"c"},{"name":"a"}]}""")]
    // Lists without a merge key are replaced.
    [InlineData("""{"args":["a","b"]}""", """{"args":["c"]}""", """{"args":["c"]}""")]
    // finalizers merge as a set; $deleteFromPrimitiveList removes.
    [InlineData("""{"finalizers":["a"]}""", """{"finalizers":["b","a"]}""", """{"finalizers":["a","b"]}""")]
    [InlineData("""{"finalizers":["a","b"]}""", """{"$deleteFromPrimitiveList/finalizers":["a"]}""", """{"finalizers":["b"]}""")]
    // $patch: replace on a map, $retainKeys, null deletes.
    [InlineData("""{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}""",
        """{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}""", """{"strategy":{"type":"Recreate"}}""")]
    [InlineData("""{"m":{"a":1,"b":2}}""", """{"m":{"$patch":"replace","c":3}}""", """{"m":{"c":3}}""")]
    [InlineData("""{"m":{"a":1,"b":2}}""", """{"m":{"a":null}}""", """{"m":{"b":2}}""")]
    public void Strategic_merge_patch_subset(string original, string patch, string expected) =>
        Assert.Equal(expected, StrategicMergePatch.Apply((JsonObject)JsonNode.Parse(original)!, (JsonObject)JsonNode.Parse(patch)!).ToJsonString());
}
