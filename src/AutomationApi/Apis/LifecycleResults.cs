using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Platform.AutomationApi.Lifecycle;
using Platform.AutomationApi.Operations;

namespace Platform.AutomationApi.Apis;

/// <summary>Maps what the lifecycle answered (<see cref="LifecycleResult{T}"/>) to the API's typed results, in one place.</summary>
internal static class LifecycleResults
{
    /// <summary>A queued operation: <c>202</c> with the operation and its <c>Location</c>; else the refusal.</summary>
    public static Results<Accepted<OperationResponse>, ValidationProblem, ProblemHttpResult> Queued(LifecycleResult<StackOperation> result) =>
        result.Value is { } operation ? Accepted(operation) : Refused(result.Problem!);

    /// <summary>A refusal: a validation problem (400 with errors by field) or any other problem.</summary>
    public static Results<Accepted<OperationResponse>, ValidationProblem, ProblemHttpResult> Refused(ProblemDetails problem) =>
        problem is HttpValidationProblemDetails invalid ? Validation(invalid) : TypedResults.Problem(problem);

    /// <summary>A validation problem as the framework writes it.</summary>
    public static ValidationProblem Validation(HttpValidationProblemDetails invalid) =>
        TypedResults.ValidationProblem(invalid.Errors, invalid.Detail, invalid.Instance, invalid.Title, invalid.Type, invalid.Extensions);

    /// <summary><c>202</c> with the operation; <c>Location</c> is where to follow it.</summary>
    public static Accepted<OperationResponse> Accepted(StackOperation operation) =>
        TypedResults.Accepted($"/v1/operations/{operation.Id}", OperationResponse.From(operation));
}
