namespace Platform.AutomationApi.Engine;

/// <summary>Whether the configured engine runs; a success is remembered, a failure re-checked.</summary>
public sealed class EngineProbe(IStackEngine engine)
{
    private string? _version;

    /// <summary>Checks the engine; returns whether it runs and its version or what is wrong.</summary>
    public async Task<(bool Found, string Detail)> CheckAsync(CancellationToken cancellationToken)
    {
        if (_version is { } known)
        {
            return (true, known);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var probe = await engine.ProbeAsync(timeout.Token);
        if (probe.Found)
        {
            _version = probe.Detail;
        }

        return (probe.Found, probe.Detail);
    }
}
