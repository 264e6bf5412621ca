namespace Platform.AutomationApi.Engine;

/// <summary>Whether the configured pulumi CLI runs (<c>pulumi version</c>); a success is remembered, a failure re-checked.</summary>
public sealed class EngineProbe(PulumiCli cli)
{
    private string? _version;

    /// <summary>Checks the engine; returns whether it runs and its version or what is wrong.</summary>
    public async Task<(bool Found, string Detail)> CheckAsync(CancellationToken cancellationToken)
    {
        if (_version is { } known)
        {
            return (true, known);
        }

        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            var result = await cli.VersionAsync(timeout.Token);
            if (!result.Succeeded)
            {
                return (false, $"'{cli.Executable} version' failed: {result.Error!.Message}");
            }

            _version = result.StandardOutput.Trim();
            return (true, _version);
        }
        catch (EngineNotFoundException ex)
        {
            return (false, ex.Message);
        }
    }
}
