using Admission.TestApiServer.Http.Protobuf;

namespace Admission.TestApiServer.Http;

internal static class HttpJson
{
    public static async Task WriteAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(Storage.JsonValues.Serialize(body));
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    public static async Task<JsonNode> ReadAsync(HttpContext context)
    {
        try
        {
            var node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            return node ?? throw StatusBodies.BadRequest("the request body is empty");
        }
        catch (JsonException e)
        {
            throw StatusBodies.BadRequest($"the request body is not JSON: {e.Message}");
        }
    }

    public static async Task<JsonObject> ReadObjectAsync(HttpContext context) =>
        await ReadAsync(context) as JsonObject ?? throw StatusBodies.BadRequest("the request body is not a JSON object");

    /// <summary>A JSON body, or one of the few protobuf bodies kubectl's typed commands send.</summary>
    public static async Task<JsonObject> ReadObjectAsync(HttpContext context, ResourceDefinition resource)
    {
        if (MediaType(context.Request.ContentType) != ProtobufBodies.MediaType)
        {
            return await ReadObjectAsync(context);
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        try
        {
            return ProtobufBodies.Decode(resource, buffer.ToArray());
        }
        catch (FormatException e)
        {
            throw StatusBodies.BadRequest($"the protobuf body could not be read: {e.Message}");
        }
    }

    /// <summary>The media type without parameters, lower-cased.</summary>
    public static string MediaType(string? contentType) =>
        (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
}
