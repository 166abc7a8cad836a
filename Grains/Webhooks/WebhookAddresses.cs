using System.Net;
using System.Net.Sockets;

namespace Ipto.Grains.Webhooks;

/// <summary>
/// Where a webhook may be delivered (SPEC §13): never to a loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7),
/// link-local (169.254/16, fe80::/10), CGNAT (100.64/10) or unspecified address, whatever name resolved to it. IPv4
/// addresses mapped into IPv6 are judged as the IPv4 address they carry. Checked at create and again on the address a
/// delivery actually dials.
/// </summary>
public static class WebhookAddresses
{
    private static readonly (IPAddress Network, int Prefix)[] Refused =
    [
        (IPAddress.Parse("0.0.0.0"), 8),
        (IPAddress.Parse("10.0.0.0"), 8),
        (IPAddress.Parse("100.64.0.0"), 10),
        (IPAddress.Parse("127.0.0.0"), 8),
        (IPAddress.Parse("169.254.0.0"), 16),
        (IPAddress.Parse("172.16.0.0"), 12),
        (IPAddress.Parse("192.168.0.0"), 16),
        (IPAddress.Parse("::"), 128),
        (IPAddress.Parse("::1"), 128),
        (IPAddress.Parse("fc00::"), 7),
        (IPAddress.Parse("fe80::"), 10),
    ];

    /// <summary>Whether a delivery may connect to <paramref name="address"/>.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        return !Refused.Any(r => r.Network.AddressFamily == address.AddressFamily && InNetwork(address, r.Network, r.Prefix));
    }

    private static bool InNetwork(IPAddress address, IPAddress network, int prefix)
    {
        var (a, n) = (address.GetAddressBytes(), network.GetAddressBytes());
        var whole = prefix / 8;
        for (var i = 0; i < whole; i++)
            if (a[i] != n[i]) return false;
        var rest = prefix % 8;
        if (rest == 0) return true;
        var mask = (byte)(0xFF << (8 - rest));
        return (a[whole] & mask) == (n[whole] & mask);
    }

    /// <summary>
    /// What is wrong with a webhook URL as a field (null: nothing): an absolute <c>https</c> URL (or <c>http</c> when
    /// <paramref name="allowInsecure"/>) with a host and no credentials; a literal address must be public unless insecure
    /// targets are allowed. Names are resolved and checked separately.
    /// </summary>
    public static string? UrlIssue(string? url, bool allowInsecure)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            return "must be an absolute https URL";
        if (uri.Scheme != Uri.UriSchemeHttps && !(allowInsecure && uri.Scheme == Uri.UriSchemeHttp))
            return "must use https";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return "must not carry credentials";
        if (!allowInsecure && IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var literal) && !IsPublic(literal))
            return "must not point at a loopback, private, link-local or unspecified address";
        if (!allowInsecure && uri.IdnHost.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return "must not point at a loopback address";
        return null;
    }

    /// <summary>Whether every address <paramref name="host"/> resolves to is public (none: false).</summary>
    public static async Task<bool> ResolvesToPublicAsync(string host, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException)
        {
            return false;
        }

        return addresses.Length > 0 && addresses.All(IsPublic);
    }
}
