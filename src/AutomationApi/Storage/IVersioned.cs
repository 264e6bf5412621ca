namespace Platform.AutomationApi.Storage;

/// <summary>
/// A row with an optimistic concurrency token. <see cref="PlatformDbContext"/> stamps a new <see cref="Version"/> on
/// every insert and change, in one place, so no writer can forget it and two writers of one row never both win.
/// </summary>
public interface IVersioned
{
    /// <summary>Optimistic concurrency token, changed on every write.</summary>
    Guid Version { get; set; }
}
