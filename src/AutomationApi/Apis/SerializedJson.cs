using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Platform.AutomationApi.Apis;

/// <summary>
/// A <c>200</c> whose JSON body was serialized before (a cached read, <see cref="EnvironmentReadCache"/>): written as
/// it is, with the headers <see cref="Microsoft.AspNetCore.Http.HttpResults.Ok{TValue}"/> would send, and declared in
/// the OpenAPI document as <typeparamref name="T"/>, which is what the bytes are.
/// </summary>
/// <typeparam name="T">What the body is a serialization of.</typeparam>
public sealed class SerializedJson<T> : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IContentTypeHttpResult
{
    private const string JsonContentType = "application/json; charset=utf-8";
    private readonly byte[] _utf8;

    /// <summary>The body, UTF-8 JSON of a <typeparamref name="T"/> serialized with the service's JSON options.</summary>
    public SerializedJson(byte[] utf8)
    {
        ArgumentNullException.ThrowIfNull(utf8);
        _utf8 = utf8;
    }

    /// <summary>Always <c>200</c>.</summary>
    public int StatusCode => StatusCodes.Status200OK;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    /// <inheritdoc />
    public string ContentType => JsonContentType;

    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCode;
        httpContext.Response.ContentType = JsonContentType;
        httpContext.Response.ContentLength = _utf8.Length;
        return httpContext.Response.Body.WriteAsync(_utf8, httpContext.RequestAborted).AsTask();
    }

    /// <inheritdoc />
    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
    }
}
