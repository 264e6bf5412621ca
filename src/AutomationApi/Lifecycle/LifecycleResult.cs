using Microsoft.AspNetCore.Mvc;

namespace Platform.AutomationApi.Lifecycle;

/// <summary>
/// What a request to the lifecycle came to: its value, or the RFC 9457 problem that refuses it (an
/// <see cref="HttpValidationProblemDetails"/> when fields are at fault). Exactly one of the two is set. The API maps
/// it to its typed results in one place (<see cref="Apis.LifecycleResults"/>); the lifecycle knows no HTTP results.
/// </summary>
/// <typeparam name="T">What a request that goes through yields.</typeparam>
public sealed class LifecycleResult<T>
    where T : class
{
    private LifecycleResult(T? value, ProblemDetails? problem) => (Value, Problem) = (value, problem);

    /// <summary>What the request yielded; <see langword="null"/> when it was refused.</summary>
    public T? Value { get; }

    /// <summary>Why the request was refused; <see langword="null"/> when it went through.</summary>
    public ProblemDetails? Problem { get; }

    /// <summary>A request that went through.</summary>
    /// <param name="value">What it yielded.</param>
    public static implicit operator LifecycleResult<T>(T value) => new(value ?? throw new ArgumentNullException(nameof(value)), null);

    /// <summary>A refused request.</summary>
    /// <param name="problem">Why.</param>
    public static implicit operator LifecycleResult<T>(ProblemDetails problem) => new(null, problem ?? throw new ArgumentNullException(nameof(problem)));
}

/// <summary>The problems the lifecycle refuses requests with, their titles and texts in one place.</summary>
public static class Refusals
{
    /// <summary>A problem with <paramref name="status"/>.</summary>
    /// <param name="status">The HTTP status it stands for.</param>
    /// <param name="title">Short, stable summary.</param>
    /// <param name="detail">What is wrong and what to do.</param>
    public static ProblemDetails Problem(int status, string title, string detail) => new() { Status = status, Title = title, Detail = detail };

    /// <summary>A validation problem (400) listing <paramref name="errors"/> by field.</summary>
    /// <param name="errors">Messages by field.</param>
    /// <param name="title">Its title; the standard one when <see langword="null"/>.</param>
    /// <param name="detail">Its detail.</param>
    public static HttpValidationProblemDetails Invalid(IDictionary<string, string[]> errors, string? title = null, string? detail = null)
    {
        var problem = new HttpValidationProblemDetails(errors) { Status = StatusCodes.Status400BadRequest, Detail = detail };
        problem.Title = title ?? problem.Title;
        return problem;
    }

    /// <summary>A validation problem (400) naming one field.</summary>
    /// <param name="field">The field.</param>
    /// <param name="message">What is wrong with it and the fix.</param>
    /// <param name="title">Its title; the standard one when <see langword="null"/>.</param>
    public static HttpValidationProblemDetails Field(string field, string message, string? title = null) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] }, title);

    /// <summary>A spec's errors (400), grouped by path, each message followed by its fix.</summary>
    /// <param name="errors">The errors.</param>
    /// <param name="title">Its title.</param>
    /// <param name="detail">Its detail.</param>
    public static HttpValidationProblemDetails Spec(IEnumerable<Platform.Components.Specs.SpecError> errors, string title, string detail) =>
        Invalid(errors.GroupBy(e => e.Path).ToDictionary(g => g.Key, g => g.Select(e => $"{e.Message} {e.Fix}".Trim()).ToArray()), title, detail);

    /// <summary>No environment of that name (404).</summary>
    /// <param name="name">The name asked for.</param>
    public static ProblemDetails EnvironmentNotFound(string name) =>
        Problem(StatusCodes.Status404NotFound, "Environment not found", $"There is no environment named '{name}'.");

    /// <summary>No operation of that id (404).</summary>
    /// <param name="id">The id asked for.</param>
    public static ProblemDetails OperationNotFound(string id) =>
        Problem(StatusCodes.Status404NotFound, "Operation not found", $"There is no operation '{id}'.");

    /// <summary>The environment changed between reading and saving it (409).</summary>
    /// <param name="name">The environment.</param>
    /// <param name="doing">What the request was doing, e.g. <c>queuing the operation</c>.</param>
    public static ProblemDetails ConcurrentChange(string name, string doing) =>
        Problem(StatusCodes.Status409Conflict, "Concurrent change", $"Environment '{name}' changed while {doing}; try again.");
}
