using System.Collections.Immutable;
using Platform.Components.Specs;

namespace Platform.Components.Pulumi;

/// <summary>An environment spec could not be parsed or broke a rule; <see cref="Errors"/> lists every problem with its fix.</summary>
public sealed class EnvironmentSpecException : Exception
{
    /// <summary>Creates the exception for <paramref name="errors"/>.</summary>
    public EnvironmentSpecException(string source, ImmutableArray<SpecError> errors)
        : base($"The environment spec {source} is not valid:{string.Concat(errors.Select(e => $"{System.Environment.NewLine}  {e}"))}")
    {
        Errors = errors;
    }

    /// <summary>Creates an exception with a generic message.</summary>
    public EnvironmentSpecException()
        : base("The environment spec is not valid.")
    {
    }

    /// <summary>Creates an exception with a message only.</summary>
    public EnvironmentSpecException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    public EnvironmentSpecException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Every problem found.</summary>
    public ImmutableArray<SpecError> Errors { get; } = [];
}
