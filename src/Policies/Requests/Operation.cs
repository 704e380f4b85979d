namespace Admission.Policies;

public enum Operation
{
    Create,
    Update,
    Delete,
    Connect,
}

public static class Operations
{
    public static bool TryParse(string? text, out Operation operation)
    {
        switch (text)
        {
            case "CREATE": operation = Operation.Create; return true;
            case "UPDATE": operation = Operation.Update; return true;
            case "DELETE": operation = Operation.Delete; return true;
            case "CONNECT": operation = Operation.Connect; return true;
            default: operation = default; return false;
        }
    }

    public static string ToWire(this Operation operation) => operation switch
    {
        Operation.Create => "CREATE",
        Operation.Update => "UPDATE",
        Operation.Delete => "DELETE",
        _ => "CONNECT",
    };
}
