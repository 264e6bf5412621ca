namespace Platform.Components.Policies;

/// <summary>How a guardrail violation is treated.</summary>
public enum PolicySeverity
{
    /// <summary>Warns; the plan may still be applied. The platform team may switch the rule off per tier.</summary>
    Advisory,

    /// <summary>Blocks the plan from being rendered or applied. Cannot be switched off.</summary>
    Mandatory,
}
