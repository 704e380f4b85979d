using System.Reflection;
using Xunit.Sdk;

namespace Admission.Policies.Tests.Support;

/// <summary>A table whose row names a theory runs over.</summary>
public interface IRowNames
{
    TheoryData<string> Names();
}

/// <summary>
/// A theory's data: the row names of the table (a <see cref="Table{T}"/>) in the named static field
/// or property of the test class, so each table is one theory case per row, named by its row.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RowsOfAttribute(string table) : DataAttribute
{
    private const BindingFlags Static = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.FlattenHierarchy;

    public string Table { get; } = table;

    public override IEnumerable<object[]> GetData(MethodInfo testMethod)
    {
        var type = testMethod.ReflectedType ?? testMethod.DeclaringType!;
        var rows = type.GetField(Table, Static)?.GetValue(null) ?? type.GetProperty(Table, Static)?.GetValue(null);
        return rows is IRowNames table ? table.Names() : throw new ArgumentException($"{type.Name}.{Table} is not a static table of rows");
    }
}
