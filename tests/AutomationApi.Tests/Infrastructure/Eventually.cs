namespace Platform.AutomationApi.Tests.Infrastructure;

/// <summary>Waits for a condition, generously: a loaded machine starts processes slowly, so the condition decides, never the clock.</summary>
internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> for up to a minute; fails with <paramref name="failure"/> if it never holds.</summary>
    public static async Task TrueAsync(Func<bool> condition, string failure)
    {
        for (var i = 0; i < 1200 && !condition(); i++)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.True(condition(), failure);
    }
}
