using Platform.Components.Specs;

namespace Platform.Components.Planning;

/// <summary>
/// What planning asks of a resource's kind while it plans the rest of the environment: whether the kind needs the
/// Random provider, and what using a resource of it grants a service. Resource kinds implement it
/// (<c>Resources.ResourceKind</c>); <see cref="PlanContext.KindOf"/> finds a resource's.
/// </summary>
internal interface IResourcePlanning
{
    /// <summary>Whether the kind's plan generates secrets with the Random provider.</summary>
    bool UsesRandomProvider { get; }

    /// <summary>What using <paramref name="resource"/> grants a service: network egress, IAM statements, connection environment.</summary>
    ResourceGrant Grant(PlanContext context, ResourceSpec resource);
}
