using System.Collections.Immutable;
using Platform.Components.Specs;

namespace Platform.Components.Settings;

/// <summary>
/// A platform engineer's settings file (targets, policy settings) that cannot be used: every problem found, each with
/// its path, what is wrong and the fix (with a "did you mean" for a misspelt field or value), one per line.
/// </summary>
public sealed class SettingsFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public SettingsFormatException()
        : this([])
    {
    }

    /// <summary>Creates the exception with one problem.</summary>
    public SettingsFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with one problem and its cause.</summary>
    public SettingsFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from every problem found.</summary>
    public SettingsFormatException(ImmutableArray<SpecError> errors)
        : base(string.Join(Environment.NewLine, errors.Select(e => e.ToString())))
    {
        Errors = errors;
    }

    /// <summary>Every problem, in the order found.</summary>
    public ImmutableArray<SpecError> Errors { get; } = [];
}
