using Platform.Components.Planning;

namespace Platform.AutomationApi.Environments;

/// <summary>The Components renderer behind <see cref="IProgramRenderer"/>.</summary>
public sealed class PulumiYamlProgramRenderer : IProgramRenderer
{
    /// <inheritdoc />
    public string Render(ResourcePlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);

        // TEMPORARY until the Components renderer is merged: a program with the plan's project name only.
        return $"name: {plan.Environment}\nruntime: yaml\n";
    }
}
