using Platform.Components.Planning;
using Platform.Components.Rendering;

namespace Platform.AutomationApi.Environments;

/// <summary>The Components renderer (<see cref="PulumiYamlRenderer"/>) behind <see cref="IProgramRenderer"/>.</summary>
public sealed class PulumiYamlProgramRenderer : IProgramRenderer
{
    /// <inheritdoc />
    public RenderedProgram Render(ResourcePlan plan) => PulumiYamlRenderer.Render(plan);
}
