using System.Collections.Immutable;

namespace Platform.Components.Planning;

/// <summary>
/// What a service that <c>uses</c> a resource is given, decided by the resource's kind alone: network egress, IAM
/// statements on exactly that resource, and where its connection details come from. The Kubernetes golden path
/// (network policy, environment), workload identity (IAM role) and the AWS planner (stack config) read only this.
/// </summary>
/// <param name="Resource">The resource's name.</param>
/// <param name="PrivateNetworkPorts">TCP ports the service may reach in the target's VPC (its CIDR, or the private ranges).</param>
/// <param name="UsesAwsApis">
/// Whether the service talks to AWS APIs for this resource: it then gets HTTPS egress and a workload identity (an IAM
/// role its service account assumes), even when <paramref name="Statements"/> is empty.
/// </param>
/// <param name="Statements">IAM statements for the service's role: exact actions on exact ARNs, never a wildcard.</param>
/// <param name="Connection">The Kubernetes object the service loads the connection details from, if any.</param>
internal sealed record ResourceGrant(
    string Resource,
    ImmutableArray<int> PrivateNetworkPorts,
    bool UsesAwsApis,
    ImmutableArray<IamStatement> Statements,
    ConnectionSource? Connection);

/// <summary>One IAM statement a resource grants its users.</summary>
/// <param name="Sid">Statement id, unique within the role's policy.</param>
/// <param name="Actions">Exact actions (<c>service:Action</c>), sorted.</param>
/// <param name="Resource">The one ARN (or ARN pattern under one resource) they apply to.</param>
internal sealed record IamStatement(string Sid, ImmutableArray<string> Actions, PlanValue Resource)
{
    private PlanValue? _document;

    // A copy (`with`) may hold other members, so the document made for the original is not copied.
    private IamStatement(IamStatement original)
    {
        Sid = original.Sid;
        Actions = original.Actions;
        Resource = original.Resource;
    }

    /// <summary>
    /// The statement as an IAM policy document holds it (<c>Sid</c>, <c>Effect</c>, <c>Action</c>, <c>Resource</c>),
    /// made once: a grant is made once per plan, so every role policy that grants the statement carries this one
    /// instance.
    /// </summary>
    public PlanValue Document => _document ??= new PlanValue.Map(
    [
        KeyValuePair.Create("Sid", (PlanValue)Sid),
        KeyValuePair.Create("Effect", (PlanValue)"Allow"),
        KeyValuePair.Create("Action", (PlanValue)new PlanValue.List([.. Actions.Select(a => (PlanValue)a)])),
        KeyValuePair.Create("Resource", Resource),
    ]);

    /// <inheritdoc />
    public bool Equals(IamStatement? other) =>
        other is not null && Sid == other.Sid && Actions.Equals(other.Actions) && Resource.Equals(other.Resource);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Sid, Actions, Resource);
}

/// <summary>A ConfigMap or Secret in the namespace holding a resource's connection details as environment variables.</summary>
/// <param name="LogicalName">
/// The plan's logical name of the object. Pods load it by its <c>metadata.name</c> output, never a fixed name: the
/// object is autonamed (the Kubernetes planner's <c>AutonamedMetadata</c> says why), so a change of its data replaces
/// it under a new name and rolls the pods that load it.
/// </param>
/// <param name="IsSecret">Whether it is a Secret (it holds a credential) rather than a ConfigMap.</param>
/// <param name="PrefixWhenSeveral">
/// For generic keys (libpq's <c>PGHOST</c>…), the prefix each key takes when a service uses several such sources
/// (<c>ORDERS_DB_</c>); <see langword="null"/> when the keys already carry the resource's name. Generic sources come
/// first in <c>envFrom</c>.
/// </param>
internal sealed record ConnectionSource(string LogicalName, bool IsSecret, string? PrefixWhenSeveral);
