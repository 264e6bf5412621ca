using System.Security.Claims;

namespace Platform.AutomationApi.Lifecycle;

/// <summary>Who asks the lifecycle for a change: the authenticated caller and the request's id (for the logs).</summary>
/// <param name="User">The authenticated caller (team and role claims).</param>
/// <param name="RequestId">The request's id, as the service's logs name it.</param>
public sealed record Caller(ClaimsPrincipal User, string RequestId);
