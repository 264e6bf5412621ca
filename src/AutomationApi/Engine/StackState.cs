namespace Platform.AutomationApi.Engine;

/// <summary>A resource in a stack's checkpoint (<c>pulumi stack export</c>).</summary>
/// <param name="Resource">Its name and type.</param>
/// <param name="Protect">Whether it is marked protected.</param>
/// <param name="PendingDelete">
/// Whether it is an old copy waiting to be deleted (<c>delete: true</c>): a replacement whose delete failed, which the
/// next run deletes first. The same URN can then appear twice, the live resource and the old copy.
/// </param>
/// <param name="PendingReplacement">
/// Whether it was already deleted for a delete-before-replace whose create has not happened (<c>pendingReplacement:
/// true</c>).
/// </param>
public sealed record StackResource(ResourceName Resource, bool Protect, bool PendingDelete, bool PendingReplacement)
{
    /// <summary>
    /// Whether a destroy would refuse to delete it. Only a live protected resource does: the engine deletes an old
    /// copy pending deletion with a replacement step, which does not check protection, and drops one pending
    /// replacement from the state with a step that deletes nothing (<c>GenerateDeletes</c> in
    /// pkg/resource/deploy/step_generator.go; <c>DeleteStep.Apply</c>, <c>RemovePendingReplaceStep</c> in step.go,
    /// pulumi/pulumi). <c>state unprotect --all</c> leaves an old copy protected (pkg/cmd/pulumi/state/state_unprotect.go).
    /// </summary>
    public bool BlocksDestroy => Protect && !PendingDelete && !PendingReplacement;
}

/// <summary>A resource operation the engine started and never finished (a checkpoint's <c>pending_operations</c>).</summary>
/// <param name="Resource">Its name and type.</param>
/// <param name="Type"><c>creating</c>, <c>updating</c>, <c>deleting</c>, <c>reading</c> (<c>OperationType</c> in sdk/go/common/apitype/core.go) or <c>importing</c> (pkg/resource/operation.go, pulumi/pulumi).</param>
public sealed record PendingOperation(ResourceName Resource, string Type);

/// <summary>What a stack's checkpoint holds.</summary>
/// <param name="Resources">Its resources.</param>
/// <param name="PendingOperations">Operations left pending by an engine that was killed.</param>
public sealed record StackState(IReadOnlyList<StackResource> Resources, IReadOnlyList<PendingOperation> PendingOperations)
{
    /// <summary>
    /// Reads <c>pulumi stack export</c> output: <c>{version, deployment: {resources: [{urn, type, protect, delete, pendingReplacement}],
    /// pending_operations: [{resource: {urn, type}, type}]}}</c> (<c>DeploymentV3</c>, <c>ResourceV3</c>,
    /// <c>OperationV2</c> in <c>sdk/go/common/apitype/core.go</c> of pulumi/pulumi).
    /// </summary>
    public static StackState Parse(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
        if (!document.RootElement.TryGetProperty("deployment", out var deployment) || deployment.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            return new StackState([], []);
        }

        var resources = new List<StackResource>();
        if (deployment.TryGetProperty("resources", out var list) && list.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            foreach (var resource in list.EnumerateArray())
            {
                if (Text(resource, "urn") is { } urn)
                {
                    var name = ResourceName.FromUrn(urn);
                    resources.Add(new StackResource(name with { Type = Text(resource, "type") ?? name.Type },
                        IsTrue(resource, "protect"), IsTrue(resource, "delete"), IsTrue(resource, "pendingReplacement")));
                }
            }
        }

        var pending = new List<PendingOperation>();
        if (deployment.TryGetProperty("pending_operations", out var operations) && operations.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            foreach (var operation in operations.EnumerateArray())
            {
                if (operation.TryGetProperty("resource", out var resource) && Text(resource, "urn") is { } urn)
                {
                    pending.Add(new PendingOperation(ResourceName.FromUrn(urn), Text(operation, "type") ?? "unknown"));
                }
            }
        }

        return new StackState(resources, pending);
    }

    // ResourceV3's protect, delete and pendingReplacement are omitted when false.
    private static bool IsTrue(System.Text.Json.JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.True;

    private static string? Text(System.Text.Json.JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String ? value.GetString() : null;
}
