namespace Platform.AutomationApi.Lifecycle;

/// <summary>
/// A change an environment or operation cannot make in its current state (deploying to an environment being
/// destroyed, cancelling a finished operation). The API answers it with a <c>409</c> problem carrying
/// <see cref="Title"/> and the message, in one place (<see cref="Apis.ClientErrors"/>), never a 500.
/// </summary>
/// <param name="title">Short, stable summary (the problem's title).</param>
/// <param name="detail">What is wrong and what to do instead (the problem's detail).</param>
public sealed class IllegalTransitionException(string title, string detail) : InvalidOperationException(detail)
{
    /// <summary>Short, stable summary.</summary>
    public string Title { get; } = title;
}
