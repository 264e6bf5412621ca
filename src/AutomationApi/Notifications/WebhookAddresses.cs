using System.Net;
using System.Net.Sockets;

namespace Platform.AutomationApi.Notifications;

/// <summary>Resolves webhook hosts (replaceable in tests, to play a DNS answer that changes between checks).</summary>
public interface IWebhookHostResolver
{
    /// <summary>The addresses <paramref name="host"/> resolves to (an IP literal resolves to itself).</summary>
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>The system resolver.</summary>
public sealed class DnsWebhookHostResolver : IWebhookHostResolver
{
    /// <inheritdoc />
    public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>A webhook address that may not be reached (SSRF): loopback, link-local, private and other internal ranges.</summary>
public sealed class WebhookAddressRefusedException(string message) : Exception(message);

/// <summary>
/// Which addresses webhooks may reach. A URL is checked when it is registered and again when each delivery connects
/// (the connection goes to the address that was checked), so a name that resolves differently later (DNS rebinding)
/// cannot reach inside the network.
/// </summary>
public static class WebhookAddresses
{
    /// <summary>Why <paramref name="address"/> may not be reached, or <see langword="null"/> when it may.</summary>
    public static string? Refusal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return "loopback";
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6None))
            {
                return "unspecified";
            }

            if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal)
            {
                return "link-local";
            }

            if (address.IsIPv6UniqueLocal)
            {
                return "private (unique local)";
            }

            return address.IsIPv6Multicast ? "multicast" : null;
        }

        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        return b switch
        {
            [0, ..] => "unspecified (0.0.0.0/8)",
            [10, ..] => "private (10.0.0.0/8)",
            [100, >= 64 and <= 127, ..] => "shared address space (100.64.0.0/10)",
            [169, 254, ..] => "link-local (169.254.0.0/16, cloud metadata)",
            [172, >= 16 and <= 31, ..] => "private (172.16.0.0/12)",
            [192, 168, ..] => "private (192.168.0.0/16)",
            [192, 0, 0, _] => "IETF protocol assignments (192.0.0.0/24)",
            [198, 18 or 19, ..] => "benchmarking (198.18.0.0/15)",
            [>= 224, ..] => "multicast or reserved (224.0.0.0/3)",
            _ => null,
        };
    }

    /// <summary>
    /// Resolves <paramref name="host"/> and throws unless every address it resolves to may be reached; returns them.
    /// </summary>
    /// <exception cref="WebhookAddressRefusedException">One may not be reached, or the name does not resolve.</exception>
    public static async Task<IPAddress[]> CheckAsync(IWebhookHostResolver resolver, string host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        IPAddress[] addresses;
        try
        {
            addresses = await resolver.ResolveAsync(host, cancellationToken);
        }
        catch (SocketException ex)
        {
            throw new WebhookAddressRefusedException($"'{host}' does not resolve ({ex.SocketErrorCode}).");
        }

        if (addresses.Length == 0)
        {
            throw new WebhookAddressRefusedException($"'{host}' does not resolve.");
        }

        // Every address, not just one: a name with one public and one internal address could reach either.
        foreach (var address in addresses)
        {
            if (Refusal(address) is { } why)
            {
                throw new WebhookAddressRefusedException(
                    $"'{host}' resolves to {address}, which is not a public address ({why}); webhooks may only reach public addresses unless an admin allows private ones.");
            }
        }

        return addresses;
    }
}
