using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Platform.AutomationApi.Apis;

/// <summary>
/// Answers requests the framework or server found malformed (<see cref="BadHttpRequestException"/>: a query value or
/// body that does not bind, unreadable JSON, an unknown field, broken chunked framing, a body over the size limit) with
/// their 4xx problem, naming the field and what it takes, and changes an environment or operation cannot make in its
/// state (<see cref="Lifecycle.IllegalTransitionException"/>) with a 409 problem, logged as a warning with the request
/// id: they are the client's error, not the service's, so they never show up as errors.
/// </summary>
internal sealed partial class ClientErrors(IProblemDetailsService problems, ILogger<ClientErrors> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var status = exception switch
        {
            BadHttpRequestException bad => bad.StatusCode,
            Lifecycle.IllegalTransitionException => StatusCodes.Status409Conflict,

            // Kestrel reports a chunk size beyond 64 bits as an I/O error wrapping the overflow, not as a bad request.
            IOException { InnerException: OverflowException } => StatusCodes.Status400BadRequest,
            _ => 0,
        };
        if (status == 0)
        {
            return false;
        }

        var (detail, field, problem) = exception is BadHttpRequestException request ? Describe(request) : (exception.Message, null, null);
        LogClientError(logger, httpContext.Request.Method, httpContext.Request.Path, status, detail, httpContext.TraceIdentifier);
        httpContext.Response.StatusCode = status;
        var details = new ProblemDetails
        {
            Status = status,
            Title = exception switch
            {
                Lifecycle.IllegalTransitionException illegal => illegal.Title,
                _ when status == StatusCodes.Status413PayloadTooLarge => "Request body too large",
                _ => "Malformed request",
            },
            Detail = detail,
        };
        if (field is not null)
        {
            details.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [problem!] };
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, Exception = exception, ProblemDetails = details });
    }

    /// <summary>
    /// What is wrong with a request the framework could not bind, in the request's own terms: the query parameter or
    /// body field, and the kind of value it takes (never a .NET type name). Unrecognised failures keep their message.
    /// </summary>
    internal static (string Detail, string? Field, string? Problem) Describe(BadHttpRequestException exception)
    {
        if (exception.InnerException is JsonException json)
        {
            var field = json.Path is { Length: > 1 } path ? path.TrimStart('$').TrimStart('.') : null;
            if (UnmappedMember().Match(json.Message) is { Success: true } unknown)
            {
                var name = field is null ? unknown.Groups["name"].Value : field;
                return ($"The body has a field '{name}' this request does not take. Remove it or check its spelling (fields are camelCase).",
                    name, "Unknown field.");
            }

            if (NotConvertible().Match(json.Message) is { Success: true } conversion)
            {
                if (field is null)
                {
                    // The whole body is of the wrong shape (an array, a string, a number where an object belongs).
                    return ("The body must be a JSON object with this request's fields (see the OpenAPI document).", null, null);
                }

                // A record read through its constructor is named as a whole (the request type), not the field's type.
                var named = conversion.Groups["type"].Value;
                var expected = DeclaredKind(named, field) ?? JsonKind(named);
                return ($"The body's '{field}' must be {expected}.", field, $"Must be {expected}.");
            }

            return ($"The body is not valid JSON: {Position().Replace(json.Message, "").TrimEnd('.', ' ')}.", field, field is null ? null : "Not valid JSON here.");
        }

        if (UnboundParameter().Match(exception.Message) is { Success: true } unbound)
        {
            var (name, value, expected) = (unbound.Groups["name"].Value, unbound.Groups["value"].Value, JsonKind(unbound.Groups["type"].Value));
            return ($"The parameter '{name}' must be {expected}, not '{value}'.", name, $"Must be {expected}.");
        }

        if (exception.Message.StartsWith("Implicit body inferred for parameter", StringComparison.Ordinal))
        {
            return ("This request needs a JSON body (Content-Type: application/json).", null, null);
        }

        if (MissingParameter().Match(exception.Message) is { Success: true } missing)
        {
            return missing.Groups["source"].Value == "body"
                ? ("This request needs a JSON body (Content-Type: application/json).", null, null)
                : ($"The parameter '{missing.Groups["name"].Value}' is required.", missing.Groups["name"].Value, "Required.");
        }

        return (exception.Message, null, null);
    }

    // The kind of value the request type's property for a top-level field takes; null when that is not known.
    private static string? DeclaredKind(string requestType, string field) =>
        field.IndexOfAny(['.', '[']) < 0 &&
        typeof(ClientErrors).Assembly.GetType(requestType)?.GetProperty(field, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase) is { } property
            ? KindOf(property.PropertyType)
            : null;

    private static string KindOf(Type type)
    {
        type = System.Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) ? "a string"
            : type == typeof(bool) ? "true or false"
            : type == typeof(int) || type == typeof(long) || type == typeof(short) ? "a whole number"
            : type == typeof(decimal) || type == typeof(double) || type == typeof(float) ? "a number"
            : type == typeof(DateTimeOffset) || type == typeof(DateTime) ? "a date-time such as 2026-12-31T00:00:00Z"
            : type == typeof(TimeSpan) ? "a duration such as 72h or 7d"
            : type == typeof(System.Text.Json.Nodes.JsonObject) || typeof(System.Collections.IDictionary).IsAssignableFrom(type) ||
              type.GetInterfaces().Append(type).Any(i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>) || i.GetGenericTypeDefinition() == typeof(IDictionary<,>))) ? "an object"
            : typeof(System.Collections.IEnumerable).IsAssignableFrom(type) ? "a list"
            : "an object";
    }

    // The kind of JSON or query value a bound .NET type takes, as a client would write it.
    private static string JsonKind(string type) => (Nullable().Match(type) is { Success: true } inner ? inner.Groups["type"].Value : type).TrimEnd('?').Split('`', '<')[0].Split('.')[^1] switch
    {
        "Int32" or "Int64" or "int" or "long" or "Int16" or "short" => "a whole number",
        "Decimal" or "Double" or "decimal" or "double" or "Single" or "float" => "a number",
        "Boolean" or "bool" => "true or false",
        "String" or "string" => "a string",
        "DateTimeOffset" or "DateTime" => "a date-time such as 2026-12-31T00:00:00Z",
        "TimeSpan" => "a duration such as 72h or 7d",
        "Guid" => "an id",
        "JsonObject" => "an object",
        "JsonArray" => "a list",
        var t when t.Contains("Dictionary", StringComparison.Ordinal) => "an object",
        var t when t.EndsWith("[]", StringComparison.Ordinal) || t.EndsWith("List", StringComparison.Ordinal) || t.EndsWith("Enumerable", StringComparison.Ordinal) ||
            t.EndsWith("Array", StringComparison.Ordinal) || t.EndsWith("Collection", StringComparison.Ordinal) || t.EndsWith("Set", StringComparison.Ordinal) => "a list",
        _ => "a value of another kind (see the OpenAPI document)",
    };

    // A nullable type as System.Text.Json (System.Nullable`1[System.Int32]) or the binder (Nullable<int>) writes it.
    [GeneratedRegex(@"Nullable(`1\[|<)(?<type>[^\]>]+)[\]>]")]
    private static partial Regex Nullable();

    // System.Text.Json: "The JSON property 'qa' could not be mapped to any .NET member contained in type '…'."
    [GeneratedRegex(@"^The JSON property '(?<name>[^']*)' could not be mapped")]
    private static partial Regex UnmappedMember();

    // System.Text.Json: "The JSON value could not be converted to System.Int32. Path: $.dev | LineNumber: …"
    [GeneratedRegex(@"could not be converted to (?<type>[^\s]+?)\.? Path:")]
    private static partial Regex NotConvertible();

    // " Path: $ | LineNumber: 0 | BytePositionInLine: 3." at the end of System.Text.Json's messages.
    [GeneratedRegex(@"\s*Path: .*$")]
    private static partial Regex Position();

    // Minimal APIs: Failed to bind parameter "int? limit" from "abc".
    [GeneratedRegex("^Failed to bind parameter \"(?<type>[^\"]+) (?<name>[^\" ]+)\" from \"(?<value>.*)\"\\.$", RegexOptions.Singleline)]
    private static partial Regex UnboundParameter();

    // Minimal APIs: Required parameter "ExtendRequest body" was not provided from body. / … from query string.
    [GeneratedRegex("^Required parameter \"(?<type>[^\"]+) (?<name>[^\" ]+)\" was not provided from (?<source>body|query string|route|header)")]
    private static partial Regex MissingParameter();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} {Path} with {StatusCode}: {Reason} (request {RequestId})")]
    private static partial void LogClientError(ILogger logger, string method, string path, int statusCode, string reason, string requestId);
}
