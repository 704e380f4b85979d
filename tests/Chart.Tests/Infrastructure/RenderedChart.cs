using System.Collections.Concurrent;

namespace Admission.Chart.Tests.Infrastructure;

/// <summary>The ways the chart is rendered in these tests; each names its values files.</summary>
public enum Scenario
{
    /// <summary>No values: certificates.mode self.</summary>
    Default,

    /// <summary>certificates.mode cert-manager, with the chart's own self-signed CA issuers.</summary>
    CertManager,

    /// <summary>certificates.mode cert-manager with an existing ClusterIssuer.</summary>
    CertManagerIssuer,

    /// <summary>certificates.mode provided, with a Secret name and a PEM caBundle.</summary>
    Provided,

    /// <summary>self mode with Tier-1 namespaces listed by name and other policy overrides.</summary>
    PolicyOverrides,

    /// <summary>self mode with the ServiceMonitor, PrometheusRule and Grafana dashboard turned on.</summary>
    Monitoring,

    /// <summary>self mode with two notification receivers (a Slack and a signed webhook).</summary>
    Notifications,
}

/// <summary>One object of `helm template` output, read strictly into its typed model.</summary>
internal sealed record RenderedObject(string Source, string ApiVersion, string Kind, string Name, string? Namespace, JsonObject Json, object Model)
{
    public override string ToString() => $"{Kind} {Name} (from {Source})";

    public string? Annotation(string key) => Json["metadata"]?["annotations"]?[key]?.GetValue<string>();

    public bool IsHook => Annotation("helm.sh/hook") is not null;
}

/// <summary>Renders the chart once per scenario (cached) and reads every object strictly.</summary>
internal sealed partial class RenderedChart
{
    private static readonly ConcurrentDictionary<Scenario, Lazy<RenderedChart>> Cache = new();

    /// <summary>The typed model for each apiVersion/kind the chart may render. Any other kind fails.</summary>
    private static readonly Dictionary<(string ApiVersion, string Kind), Type> Models = new()
    {
        [("v1", "ServiceAccount")] = typeof(V1ServiceAccount),
        [("v1", "ConfigMap")] = typeof(V1ConfigMap),
        [("v1", "Secret")] = typeof(V1Secret),
        [("v1", "Service")] = typeof(V1Service),
        [("apps/v1", "Deployment")] = typeof(V1Deployment),
        [("batch/v1", "Job")] = typeof(V1Job),
        [("policy/v1", "PodDisruptionBudget")] = typeof(V1PodDisruptionBudget),
        [("rbac.authorization.k8s.io/v1", "ClusterRole")] = typeof(V1ClusterRole),
        [("rbac.authorization.k8s.io/v1", "ClusterRoleBinding")] = typeof(V1ClusterRoleBinding),
        [("rbac.authorization.k8s.io/v1", "Role")] = typeof(V1Role),
        [("rbac.authorization.k8s.io/v1", "RoleBinding")] = typeof(V1RoleBinding),
        [("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration")] = typeof(V1ValidatingWebhookConfiguration),
        [("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy")] = typeof(V1ValidatingAdmissionPolicy),
        [("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding")] = typeof(V1ValidatingAdmissionPolicyBinding),
        [("apiextensions.k8s.io/v1", "CustomResourceDefinition")] = typeof(V1CustomResourceDefinition),
        [("cert-manager.io/v1", "Issuer")] = typeof(CertManagerIssuer),
        [("cert-manager.io/v1", "Certificate")] = typeof(CertManagerCertificate),
        [("monitoring.coreos.com/v1", "ServiceMonitor")] = typeof(ServiceMonitor),
        [("monitoring.coreos.com/v1", "PrometheusRule")] = typeof(PrometheusRule),
    };

    private RenderedChart(Scenario scenario, HelmResult result, IReadOnlyList<RenderedObject> objects)
    {
        Scenario = scenario;
        Result = result;
        Objects = [.. objects.Where(o => !o.IsHook)];
        Hooks = [.. objects.Where(o => o.IsHook)];
    }

    public Scenario Scenario { get; }

    public HelmResult Result { get; }

    /// <summary>The release's objects: what `helm install` creates and keeps. Hooks are not among them.</summary>
    public IReadOnlyList<RenderedObject> Objects { get; }

    /// <summary>Objects with a helm.sh/hook annotation: Helm creates them only around an install, upgrade or uninstall.</summary>
    public IReadOnlyList<RenderedObject> Hooks { get; }

    public static string[] ValuesFiles(Scenario scenario) => scenario switch
    {
        Scenario.Default => [],
        Scenario.CertManager => [Repo.ValuesFile("cert-manager.yaml")],
        Scenario.CertManagerIssuer => [Repo.ValuesFile("cert-manager-issuer.yaml")],
        Scenario.Provided => [Repo.ValuesFile("provided.yaml")],
        Scenario.PolicyOverrides => [Repo.ValuesFile("policy-overrides.yaml")],
        Scenario.Monitoring => [Repo.ValuesFile("monitoring.yaml")],
        Scenario.Notifications => [Repo.ValuesFile("notifications.yaml")],
        _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
    };

    public static string CertificateMode(Scenario scenario) => scenario switch
    {
        Scenario.CertManager or Scenario.CertManagerIssuer => "cert-manager",
        Scenario.Provided => "provided",
        _ => "self",
    };

    public static RenderedChart For(Scenario scenario) =>
        Cache.GetOrAdd(scenario, s => new Lazy<RenderedChart>(() => Render(s))).Value;

    public IEnumerable<T> All<T>() => Objects.Select(o => o.Model).OfType<T>();

    public T Single<T>()
    {
        var found = All<T>().ToList();
        Assert.True(found.Count == 1, $"{Scenario}: expected exactly one {typeof(T).Name}, found {found.Count}");
        return found[0];
    }

    public T Single<T>(string name)
        where T : class
    {
        var found = Objects.Where(o => o.Model is T && o.Name == name).Select(o => (T)o.Model).ToList();
        Assert.True(found.Count == 1, $"{Scenario}: expected exactly one {typeof(T).Name} named {name}, found {found.Count}");
        return found[0];
    }

    public static RenderedChart Render(Scenario scenario)
    {
        var result = HelmRunner.Template(ValuesFiles(scenario));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{scenario}: {result.Describe()}");
        }

        return new RenderedChart(scenario, result, ReadAll(result.StdOut));
    }

    /// <summary>Splits multi-document YAML and reads every object strictly; collects every problem.</summary>
    public static IReadOnlyList<RenderedObject> ReadAll(string multiDocumentYaml)
    {
        var objects = new List<RenderedObject>();
        var problems = new List<string>();
        foreach (var (source, text) in SplitDocuments(multiDocumentYaml))
        {
            try
            {
                if (ReadOne(source, text) is { } obj)
                {
                    objects.Add(obj);
                }
            }
            catch (Exception e) when (e is StrictReadException or InvalidOperationException or YamlDotNet.Core.YamlException)
            {
                problems.Add($"[{source}] {e.Message}");
            }
        }

        if (problems.Count > 0)
        {
            throw new StrictReadException(string.Join("\n", problems));
        }

        return objects;
    }

    public static RenderedObject? ReadOne(string source, string yaml)
    {
        var node = YamlToJson.ParseSingle(yaml);
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject json)
        {
            throw new StrictReadException($"{source}: a document is not a mapping");
        }

        var apiVersion = json["apiVersion"]?.GetValue<string>() ?? throw new StrictReadException($"{source}: no apiVersion");
        var kind = json["kind"]?.GetValue<string>() ?? throw new StrictReadException($"{source}: no kind");
        var name = json["metadata"]?["name"]?.GetValue<string>() ?? throw new StrictReadException($"{source}: {kind} has no metadata.name");
        var ns = json["metadata"]?["namespace"]?.GetValue<string>();
        if (!Models.TryGetValue((apiVersion, kind), out var type))
        {
            throw new StrictReadException($"{source}: {apiVersion} {kind} {name} has no model in these tests; add one to RenderedChart.Models");
        }

        var read = typeof(StrictJson).GetMethod(nameof(StrictJson.Read))!.MakeGenericMethod(type);
        object model;
        try
        {
            model = read.Invoke(null, [json, $"{source}: {kind} {name}"])!;
        }
        catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }

        return new RenderedObject(source, apiVersion, kind, name, ns, json, model);
    }

    /// <summary>Splits on `---` lines; each part is named by helm's `# Source:` comment.</summary>
    public static IEnumerable<(string Source, string Yaml)> SplitDocuments(string multiDocumentYaml)
    {
        var index = 0;
        foreach (var part in DocumentSeparator().Split(multiDocumentYaml.Replace("\r\n", "\n", StringComparison.Ordinal)))
        {
            index++;
            if (string.IsNullOrWhiteSpace(part))
            {
                continue;
            }

            var source = SourceComment().Match(part) is { Success: true } m ? m.Groups[1].Value : $"document {index}";
            yield return (source, part);
        }
    }

    [GeneratedRegex(@"^---[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex DocumentSeparator();

    [GeneratedRegex(@"^# Source: (\S+)", RegexOptions.Multiline)]
    private static partial Regex SourceComment();
}
