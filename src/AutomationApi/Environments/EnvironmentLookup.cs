using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Environments;

/// <summary>
/// The environment a request names, read once per request (one per scope): the access filter authorizes against the
/// same tracked row the handler's lifecycle call then reads and changes, so a request by name costs one environment
/// query, not one for the filter and another for the handler.
/// </summary>
/// <param name="db">The request's unit of work.</param>
public sealed class EnvironmentLookup(PlatformDbContext db)
{
    // Compiled once per provider's context type (a compiled query is bound to one model, and tests run both in one process).
    private static readonly ConcurrentDictionary<Type, Func<PlatformDbContext, string, CancellationToken, Task<bool>>> LiveNameTakenQueries = new();

    private readonly Dictionary<string, EnvironmentRecord?> _read = new(StringComparer.Ordinal);

    /// <summary>
    /// The environment named <paramref name="name"/>: the live one, else the latest destroyed one; <see langword="null"/>
    /// when the name was never used. Tracked by the request's unit of work; read from the database once per request.
    /// </summary>
    /// <param name="name">The name.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public async Task<EnvironmentRecord?> FindAsync(string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        // A record the unit of work no longer tracks (a caller cleared it because the row changed under it) is read again.
        if (_read.TryGetValue(name, out var known) && (known is null || db.Entry(known).State != EntityState.Detached))
        {
            return known;
        }

        var record = await db.Environments.Where(e => e.Name == name)
            .OrderBy(e => e.Status == EnvironmentStatus.Destroyed ? 1 : 0).ThenByDescending(e => e.Id)
            .FirstOrDefaultAsync(cancellationToken);
        _read[name] = record;
        return record;
    }

    /// <summary>The live environment named <paramref name="name"/>, if any (see <see cref="FindAsync"/>).</summary>
    /// <param name="name">The name.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public async Task<EnvironmentRecord?> FindLiveAsync(string name, CancellationToken cancellationToken) =>
        await FindAsync(name, cancellationToken) is { IsLive: true } live ? live : null;

    /// <summary>Whether a live environment is named <paramref name="name"/> (a create's cheap check before it compiles).</summary>
    /// <param name="name">The name.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public Task<bool> IsLiveNameTakenAsync(string name, CancellationToken cancellationToken) =>
        LiveNameTakenQueries.GetOrAdd(db.GetType(), _ => EF.CompileAsyncQuery(
            (PlatformDbContext context, string name, CancellationToken cancellationToken) =>
                context.Environments.Any(e => e.Name == name && e.Status != EnvironmentStatus.Destroyed)))(db, name, cancellationToken);
}
