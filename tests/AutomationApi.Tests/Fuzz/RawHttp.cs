using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Platform.AutomationApi.Tests.Fuzz;

/// <summary>The answer to one raw request: its status (0 when the connection closed without one) and content type.</summary>
public sealed record RawResponse(int Status, string? ContentType, string Body)
{
    /// <summary>No status line came back: the connection was dropped.</summary>
    public bool Dropped => Status == 0;

    /// <summary>An RFC 9457 problem body.</summary>
    public bool IsProblem => ContentType?.StartsWith("application/problem+json", StringComparison.OrdinalIgnoreCase) == true;
}

/// <summary>
/// Sends bytes as they are, one request per connection (<c>Connection: close</c>), so malformed framing reaches the
/// server unchanged; HttpClient would refuse to send most of it.
/// </summary>
public static class RawHttp
{
    /// <summary>
    /// The admin key sent with every request that carries none. The service must be bootstrapped with it
    /// (<c>Platform:Auth:BootstrapAdminKey</c>): the test factory and <c>bench/fuzz.sh</c> do. It lives here because the
    /// long fuzz run (<c>bench/Fuzz</c>) compiles this folder without the rest of the tests.
    /// </summary>
    public const string AdminKey = "test-admin-key-0123456789abcdef";

    public static async Task<RawResponse> SendAsync(Uri server, byte[] request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(request);
        request = WithCredentials(request);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port, deadline.Token);
        var stream = tcp.GetStream();

        // Read while writing: the server may answer before it has read all of the body (a 413, a framing error). The
        // connection is never half-closed, since the server takes a client's FIN as the end of the connection; a body
        // cut short is ended by the server's own minimum data rate (a 408).
        var received = new MemoryStream();
        var reading = ReadToEndAsync(stream, received, deadline.Token);
        try
        {
            await stream.WriteAsync(request, deadline.Token);
        }
        catch (IOException)
        {
        }

        await reading;
        return Parse(Encoding.UTF8.GetString(received.GetBuffer(), 0, (int)received.Length));
    }

    /// <summary>
    /// The test admin key as a header after the request line (unless the request sends its own), so hostile input
    /// reaches the code that reads bodies instead of stopping at authentication.
    /// </summary>
    private static byte[] WithCredentials(byte[] request)
    {
        var lineEnd = request.AsSpan().IndexOf("\r\n"u8);
        if (lineEnd < 0 || request.AsSpan().IndexOf("\r\nAuthorization:"u8) >= 0)
        {
            return request;
        }

        return [.. request.AsSpan(0, lineEnd + 2), .. Encoding.ASCII.GetBytes($"Authorization: Bearer {AdminKey}\r\n"), .. request.AsSpan(lineEnd + 2)];
    }

    private static async Task ReadToEndAsync(NetworkStream stream, MemoryStream received, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // A reset after the answer arrived still leaves the answer; without one it is a dropped connection.
        }
    }

    private static RawResponse Parse(string text)
    {
        if (!text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || text.Length < 12 ||
            !int.TryParse(text.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status))
        {
            return new RawResponse(0, null, text);
        }

        var headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headers = headerEnd < 0 ? text : text[..headerEnd];
        var contentType = headers.Split("\r\n")
            .FirstOrDefault(h => h.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))?["Content-Type:".Length..].Trim();
        return new RawResponse(status, contentType, headerEnd < 0 ? "" : text[(headerEnd + 4)..]);
    }
}
