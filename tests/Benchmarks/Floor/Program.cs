// The physical floor for the webhook on this machine: Kestrel over HTTPS with the same
// certificate, reading each request's whole body and answering one constant AdmissionReview.
// Whatever the webhook costs above this is what it does: parse, decide, log, encode.
//
// usage: admission-floor PORT CERT.pem KEY.pem
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
app.MapPost("/validate", async context =>
{
    var reader = context.Request.BodyReader;
    while (true)
    {
        var read = await reader.ReadAsync(context.RequestAborted);
        reader.AdvanceTo(read.Buffer.End);
        if (read.IsCompleted) break;
    }
    context.Response.ContentType = "application/json";
    context.Response.ContentLength = answer.Length;
    await context.Response.BodyWriter.WriteAsync(answer, context.RequestAborted);
});
app.MapGet("/readyz", () => "ok\n");
app.Run();
