using System.Reflection;
using Xunit.Sdk;

namespace Admission.Chart.Tests.Infrastructure;

/// <summary>A theory's data: every <see cref="Scenario"/> the chart is rendered in, one case each.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EveryScenarioAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => Enum.GetValues<Scenario>().Select(s => new object[] { s });
}
