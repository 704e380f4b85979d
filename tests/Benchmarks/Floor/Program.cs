// The physical floor for the webhook on this machine: Kestrel over HTTPS with the same
// certificate, reading each request's whole body and answering one constant AdmissionReview.
// Whatever the webhook costs above this is what it does: parse, decide, log, encode.
//
// With "parse" after the key, it also reads and parses each body with the webhook's own code
// (ValidateEndpoint.ReadBodyAsync and ParseReview: the UTF-8 check, then one JsonDocument with repeated keys
// refused) and still answers the constant review: the floor under what the contract requires of
// every review before anything is decided.
//
// usage: admission-floor PORT CERT.pem KEY.pem [parse]
using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Security.Cryptography.X509Certificates;

var port = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
// Loaded as the webhook loads its certificate (PEM pair, exported once so TLS can use the key).
using var pem = X509Certificate2.CreateFromPemFile(args[1], args[2]);
using var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(certificate));
});
var app = builder.Build();
var answer = """{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"00000000-0000-4000-8000-000000000000","allowed":true,"auditAnnotations":{"decision":"not-guarded"}}}"""u8.ToArray();
var parse = args.Length > 3 && args[3] == "parse";
app.MapPost("/validate", async context =>
{
    if (!(parse ? await ParsedAsync(context.Request) : await DrainedAsync(context.Request)))
    {
        context.Response.StatusCode = 400;
        return;
    }
    context.Response.ContentType = "application/json";
    context.Response.ContentLength = answer.Length;
    await context.Response.BodyWriter.WriteAsync(answer, context.RequestAborted);
});
app.MapGet("/readyz", () => "ok\n");
app.Run();

// The whole body read and dropped.
static async Task<bool> DrainedAsync(HttpRequest request)
{
    var reader = request.BodyReader;
    while (true)
    {
        var read = await reader.ReadAsync(request.HttpContext.RequestAborted);
        reader.AdvanceTo(read.Buffer.End);
        if (read.IsCompleted) return true;
    }
}

// The whole body read into one pooled buffer and parsed, both by /validate's own code.
static async Task<bool> ParsedAsync(HttpRequest request)
{
    var (buffer, length) = await Admission.Operator.Webhook.ValidateEndpoint.ReadBodyAsync(request, request.HttpContext.RequestAborted);
    try
    {
        using var document = Admission.Operator.Webhook.ValidateEndpoint.ParseReview(buffer.AsMemory(0, length), out _);
        return document is not null;
    }
    finally
    {
        ArrayPool<byte>.Shared.Return(buffer);
    }
}
