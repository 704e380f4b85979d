namespace Admission.Operator.Tests.Support;

/// <summary>AdmissionRequests the handler tests send straight to <see cref="ReviewHandler"/>, without HTTP.</summary>
internal static class Requests
{
    /// <summary>carol's UPDATE of the Tier-1 payments/checkout from image 2.4.0 to 2.4.1, approved by nobody yet.</summary>
    public static AdmissionRequest CheckoutUpdate(string uid = "3b6a1f0e-2c1d-4b8e-9f51-7d3c2a9e0b11")
    {
        static JsonElement Deployment(string image) => JsonDocument.Parse(
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"checkout\",\"namespace\":\"payments\"}," +
            "\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"" + image + "\"}]}}}}").RootElement.Clone();
        return new AdmissionRequest
        {
            Uid = uid,
            Kind = new GroupVersionKind { Group = "apps", Version = "v1", Kind = "Deployment" },
            Resource = new GroupVersionResource { Group = "apps", Version = "v1", Resource = "deployments" },
            Name = "checkout",
            Namespace = "payments",
            Operation = "UPDATE",
            UserInfo = new ReviewUserInfo { Username = "carol", Groups = ["developers"] },
            Object = Deployment("registry.example.com/checkout:2.4.1"),
            OldObject = Deployment("registry.example.com/checkout:2.4.0"),
        };
    }
}
