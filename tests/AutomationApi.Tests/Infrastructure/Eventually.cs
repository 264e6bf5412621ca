using System.Diagnostics;

namespace Platform.AutomationApi.Tests.Infrastructure;

/// <summary>Waits for a condition, generously: a loaded machine starts processes slowly, so the condition decides, never the clock.</summary>
internal static class Eventually
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Polls <paramref name="condition"/> for up to <paramref name="within"/> (a minute unless told); fails with
    /// <paramref name="failure"/> if it never holds.
    /// </summary>
    public static Task TrueAsync(Func<bool> condition, string failure, TimeSpan? within = null) =>
        TrueAsync(() => Task.FromResult(condition()), () => failure, within);

    /// <summary>
    /// Polls an asynchronous <paramref name="condition"/> for up to <paramref name="within"/> (a minute unless told);
    /// fails with the message <paramref name="failure"/> makes then, so it can tell what the wait saw.
    /// </summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, Func<string> failure, TimeSpan? within = null)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed > (within ?? Patience))
            {
                Assert.Fail(failure());
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
