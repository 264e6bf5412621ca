using System.Text.Json;
using System.Text.Json.Nodes;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Operations;
using Platform.Components.SpecDocuments;
using Platform.Components.Specs;

namespace Platform.AutomationApi.Apis;

/// <summary>An operation as clients see it.</summary>
public sealed record OperationResponse(
    string Id,
    string Environment,
    OperationKind Kind,
    OperationState State,
    string Origin,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int Attempts,
    OperationError? Error,
    JsonNode? Result,
    string? RecoveryOf,
    string? RetriedAs,
    string Events,
    bool Force = false)
{
    /// <summary>Maps a stored operation.</summary>
    public static OperationResponse From(StackOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return new(
            operation.Id, operation.EnvironmentName, operation.Kind, operation.State, operation.Origin, operation.CreatedAt,
            operation.StartedAt, operation.FinishedAt, operation.Attempts,
            operation.ErrorCode is { } code ? new OperationError(code, operation.ErrorMessage ?? "") : null,
            operation.ResultJson is { } result ? JsonNode.Parse(result) : null,
            operation.RecoveryOf, operation.RetriedAs, $"/v1/operations/{operation.Id}/events", operation.Force);
    }
}

/// <summary>Why an operation did not succeed.</summary>
/// <param name="Code">Stable code, e.g. <c>program-error</c>, <c>stack-locked</c>, <c>timeout</c> (see the engine error codes).</param>
/// <param name="Message">What happened (secrets redacted).</param>
public sealed record OperationError(string Code, string Message);

/// <summary>An environment in a list.</summary>
public sealed record EnvironmentSummary(
    string Name, string Team, Tier Tier, string Target, EnvironmentStatus Status,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, string? LastOperationId)
{
    /// <summary>Maps a stored environment.</summary>
    public static EnvironmentSummary From(EnvironmentRecord e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.Name, e.Team, e.Tier, e.Target, e.Status, e.CreatedAt, e.ExpiresAt, e.LastOperationId);
    }
}

/// <summary>
/// An environment in full: spec (secrets masked), plan summary, outputs (secrets masked), expiry, last operation. The
/// JSON parts are served as stored (<see cref="JsonElement"/>s are written as they are, never re-parsed into a tree).
/// </summary>
public sealed record EnvironmentResponse(
    string Name,
    string Team,
    Tier Tier,
    string Target,
    EnvironmentStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? DestroyedAt,
    JsonElement? Spec,
    JsonElement? Plan,
    JsonElement? Outputs,
    JsonElement? CostEstimate,
    OperationResponse? LastOperation);

/// <summary>A page of results and the cursor of the next one (absent on the last page).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>Body of <c>POST /v1/environments/{name}/extend</c>.</summary>
/// <param name="Ttl">New lifetime from now, e.g. <c>48h</c> or <c>7d</c>; the result may not pass the tier's maximum TTL.</param>
[System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
public sealed record ExtendRequest(string Ttl);

/// <summary>Turns specs into what responses may show.</summary>
public static class SpecView
{
    /// <summary>
    /// The spec as a <c>platform/v1</c> document written from the parsed spec (<see cref="SpecWriter"/>: the same spec,
    /// not the text sent), every secret env value masked as <c>{ "secret": { "unchanged": true } }</c>, which an update
    /// accepts as "keep the stored value".
    /// </summary>
    public static JsonNode? Masked(EnvironmentSpec? spec) => spec is null ? null : SpecWriter.ToDocument(spec);

    /// <summary>Serializer settings of responses (camelCase, enums as strings, durations as specs write them).</summary>
    public static JsonSerializerOptions CreateOptions() => SpecJson.CreateOptions();
}
