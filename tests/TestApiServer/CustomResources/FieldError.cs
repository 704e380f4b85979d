namespace Admission.TestApiServer.CustomResources;

/// <summary>apimachinery's field.ErrorType: what kube-apiserver prints and the cause reason it sends.</summary>
public enum FieldErrorType
{
    Required,
    Invalid,
    /// <summary>Printed as "Invalid value" too, but sent as FieldValueTypeInvalid, and it blocks CEL.</summary>
    TypeInvalid,
    NotSupported,
    Duplicate,
    TooLong,
    TooMany,
    Forbidden,
}

/// <summary>
/// A field.Error, rendered as apimachinery renders it (ErrorBody: the type, the bad value where the
/// type shows one, then the detail), so messages and Status causes read as a cluster's do.
/// </summary>
/// <param name="Value">A JSON value; strings print quoted, numbers and booleans bare, as Go's %q and %v do.</param>
public sealed record FieldError(FieldErrorType Type, string Field, JsonNode? Value, string Detail)
{
    public string Reason => Type switch
    {
        FieldErrorType.Required => "FieldValueRequired",
        FieldErrorType.NotSupported => "FieldValueNotSupported",
        FieldErrorType.Duplicate => "FieldValueDuplicate",
        FieldErrorType.TooLong => "FieldValueTooLong",
        FieldErrorType.TooMany => "FieldValueTooMany",
        FieldErrorType.Forbidden => "FieldValueForbidden",
        FieldErrorType.TypeInvalid => "FieldValueTypeInvalid",
        _ => "FieldValueInvalid",
    };

    /// <summary>Errors that make kube-apiserver skip the CEL rules (apiextensions' hasBlockingErr).</summary>
    public bool Blocking => Type is FieldErrorType.NotSupported or FieldErrorType.Required or FieldErrorType.TooLong
        or FieldErrorType.TooMany or FieldErrorType.TypeInvalid;

    public string Body
    {
        get
        {
            var text = Type switch
            {
                FieldErrorType.Required => "Required value",
                FieldErrorType.Forbidden => "Forbidden",
                FieldErrorType.TooLong => "Too long",
                _ => $"{TypeText}: {ValueText(Value)}",
            };
            return Detail.Length > 0 ? $"{text}: {Detail}" : text;
        }
    }

    public override string ToString() => $"{(Field.Length == 0 ? "<nil>" : Field)}: {Body}";

    private string TypeText => Type switch
    {
        FieldErrorType.NotSupported => "Unsupported value",
        FieldErrorType.Duplicate => "Duplicate value",
        FieldErrorType.TooMany => "Too many",
        _ => "Invalid value",
    };

    internal static string ValueText(JsonNode? value) => value switch
    {
        null => "\"null\"",
        JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => Quote(v.GetValue<string>()),
        JsonValue v => v.ToJsonString(),
        // Go prints %#v of a map or slice; JSON is close enough to read and stable to compare.
        _ => value.ToJsonString(),
    };

    private static readonly System.Text.Json.JsonSerializerOptions Relaxed =
        new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static string Quote(string s) => System.Text.Json.JsonSerializer.Serialize(s, Relaxed);
}
