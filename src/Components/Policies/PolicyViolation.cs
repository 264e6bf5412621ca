namespace Platform.Components.Policies;

/// <summary>One failed guardrail on one resource.</summary>
/// <param name="RuleId">The rule's id, e.g. <c>PLT001-no-public-bucket</c>.</param>
/// <param name="Severity">Whether it blocks (<see cref="PolicySeverity.Mandatory"/>) or warns.</param>
/// <param name="Resource">Logical name of the resource at fault.</param>
/// <param name="Message">What is wrong with the resource and how to fix it.</param>
public sealed record PolicyViolation(string RuleId, PolicySeverity Severity, string Resource, string Message)
{
    /// <summary>One line: <c>[mandatory] PLT001-no-public-bucket receipts-bucket: message</c>.</summary>
    public override string ToString() =>
        $"[{(Severity == PolicySeverity.Mandatory ? "mandatory" : "advisory")}] {RuleId} {Resource}: {Message}";
}
