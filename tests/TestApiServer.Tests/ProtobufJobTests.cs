using Admission.TestApiServer.Http.Protobuf;

namespace Admission.TestApiServer.Tests;

/// <summary>The Job decoder: zero-valued fields it does not know are what Go writes for unset ones; anything else it does not know is refused, never dropped.</summary>
public class ProtobufJobTests
{
    private static byte[] Tag(int number, int wireType) => number < 16
        ? [(byte)((number << 3) | wireType)]
        : [(byte)(((number << 3) | wireType) & 0x7F | 0x80), (byte)(number >> 4)];

    private static byte[] Field(int number, byte[] value) => [.. Tag(number, 2), (byte)value.Length, .. value];

    private static byte[] Text(int number, string value) => Field(number, Encoding.UTF8.GetBytes(value));

    private static byte[] Varint(int number, byte value) => [.. Tag(number, 0), value];

    private static byte[] Spec(params byte[][] containerFields) =>
        Field(6, Field(2, [.. Field(2, [.. containerFields.SelectMany(f => f)]), .. Text(3, "Never"), .. Text(6, ""), .. Varint(11, 0)]));

    [Fact]
    public void Known_fields_are_decoded_and_zero_valued_unknown_ones_skipped()
    {
        var spec = ProtobufJobs.Spec(Spec(Text(1, "once"), Text(2, "busybox"), Text(3, "sh"), Text(3, "-c"), Field(8, []), Text(5, ""), Varint(16, 0), Field(10, [])));
        Assert.Equal("""{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"once","image":"busybox","command":["sh","-c"],"resources":{}}]}}}""",
            spec.ToJsonString());
    }

    // field number in Container, its bytes: each holds a value this decoder does not keep.
    [Theory]
    [InlineData("a livenessProbe", 10)]
    [InlineData("env", 7)]
    [InlineData("a securityContext", 15)]
    public void A_set_field_it_does_not_decode_is_refused_naming_it(string what, int number)
    {
        var e = Assert.Throws<ApiException>(() => ProtobufJobs.Spec(Spec(Text(1, "once"), Field(number, [0x0a, 0x01, 0x78]))));
        Assert.True(e.Status["code"]!.GetValue<int>() == 415, what);
        Assert.Contains($"field {number} of a protobuf Container", e.Status["message"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_set_flag_it_does_not_decode_is_refused()
    {
        var e = Assert.Throws<ApiException>(() => ProtobufJobs.Spec(Spec(Text(1, "once"), Varint(18, 1))));
        Assert.Contains("field 18 of a protobuf Container", e.Status["message"]!.ToString(), StringComparison.Ordinal);
    }
}
