using System.Collections.Immutable;

namespace Platform.Components.Specs;

/// <summary>Reads an environment spec from JSON or YAML (one schema), reporting every problem at once.</summary>
public static class SpecParser
{
    /// <summary>
    /// Parses <paramref name="text"/>. Structural problems (malformed text, unknown fields, wrong types, unknown enum
    /// values, missing required fields) are all reported with their paths; <see cref="SpecParseResult.Spec"/> is
    /// <see langword="null"/> when there are any. Semantic rules are <see cref="SpecValidator"/>'s.
    /// </summary>
    public static SpecParseResult Parse(string text) => throw new NotImplementedException();
}

/// <summary>The outcome of parsing a spec.</summary>
/// <param name="Spec">The spec, when the text had no structural errors.</param>
/// <param name="Errors">Every structural error.</param>
public sealed record SpecParseResult(EnvironmentSpec? Spec, ImmutableArray<SpecError> Errors);

/// <summary>Checks a parsed spec against every semantic rule and the tier's guardrails.</summary>
public static class SpecValidator
{
    /// <summary>Returns every error in <paramref name="spec"/>; empty when it is valid for <paramref name="targets"/>.</summary>
    public static ImmutableArray<SpecError> Validate(EnvironmentSpec spec, Targets.TargetSettings targets) => throw new NotImplementedException();
}
