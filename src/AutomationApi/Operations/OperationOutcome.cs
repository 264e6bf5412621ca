using Platform.Components.Specs;

namespace Platform.AutomationApi.Operations;

/// <summary>How an operation ended, as far as its environment is concerned (<see cref="Environments.EnvironmentRecord.ApplyOutcome"/>).</summary>
/// <param name="State">The operation's final state.</param>
/// <param name="Outputs">The stack's outputs (JSON, secrets masked) after it, when read.</param>
public sealed record OperationOutcome(OperationState State, string? Outputs = null)
{
    /// <summary>A create or update that succeeded: what it deployed.</summary>
    public DeployedSpec? Deployed { get; init; }

    /// <summary>The engine completed some changes before it was stopped.</summary>
    public bool Partial { get; init; }

    /// <summary>Refused before the engine changed anything.</summary>
    public bool NothingChanged { get; init; }

    /// <summary>The engine was killed; the operations pending in its checkpoint (JSON).</summary>
    public string? PendingJson { get; init; }

    /// <summary>A repair refresh cleared the pending operations a killed engine left.</summary>
    public bool Repaired { get; init; }
}

/// <summary>What a successful create or update deployed.</summary>
/// <param name="SpecText">The spec, as stored (encrypted).</param>
/// <param name="Spec">The spec.</param>
/// <param name="PlanSummaryJson">The plan summary (JSON).</param>
/// <param name="CostJson">The cost estimate (JSON).</param>
public sealed record DeployedSpec(string SpecText, EnvironmentSpec Spec, string PlanSummaryJson, string CostJson);
