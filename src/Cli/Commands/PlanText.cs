using System.Text;
using Platform.Components.Planning;
using Platform.Components.Rendering;

namespace Platform.Cli.Commands;

/// <summary>The human-readable plan: a header, then each component with its resources' types and logical names.</summary>
internal static class PlanText
{
    public static string Write(ResourcePlan plan, PlanSummary summary)
    {
        var text = new StringBuilder();
        var width = plan.Resources.Select(r => r.Type.Length).DefaultIfEmpty(0).Max();
        text.Append($"Environment {plan.Environment}: {plan.Tier.ToString().ToLowerInvariant()} tier, target {plan.Target}, Pulumi project {PulumiYamlRenderer.ProjectName(plan.Environment)}\n");
        text.Append($"{Count(summary.Resources, "resource")} ({Count(summary.Providers, "provider")}) in {Count(summary.Components.Length, "component")}\n");

        var providers = plan.Resources.Where(r => r.Component is null).ToList();
        if (providers.Count > 0)
        {
            text.Append("\nproviders\n");
            Resources(text, providers, width);
        }

        foreach (var component in plan.Components)
        {
            var resources = plan.ResourcesOf(component.Name).ToList();
            text.Append($"\n{component.Name} ({component.Type}): {Count(resources.Count, "resource")}\n");
            Resources(text, resources, width);
        }

        if (!plan.Outputs.IsEmpty)
        {
            text.Append($"\noutputs: {string.Join(", ", plan.Outputs.Select(o => o.Name))}\n");
        }

        if (!summary.SecretConfigKeys.IsEmpty)
        {
            text.Append($"secret config (set with 'pulumi config set --secret'): {string.Join(", ", summary.SecretConfigKeys)}\n");
        }

        return text.ToString();
    }

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";

    private static void Resources(StringBuilder text, IEnumerable<PlannedResource> resources, int width)
    {
        foreach (var resource in resources)
        {
            text.Append($"  + {resource.Type.PadRight(width)}  {resource.Name}\n");
        }
    }
}
