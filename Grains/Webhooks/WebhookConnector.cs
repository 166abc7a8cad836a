using System.Net;
using System.Net.Sockets;

namespace Ipto.Grains.Webhooks;

/// <summary>A delivery's host resolved only to addresses a webhook may not reach.</summary>
public sealed class WebhookTargetRefusedException(string host)
    : IOException($"{host} resolves only to loopback, private, link-local or unspecified addresses; webhooks are not delivered there.");

/// <summary>
/// The connect step of the webhook client (<see cref="SocketsHttpHandler.ConnectCallback"/>): resolves the host itself
/// and dials only public addresses, so the address checked is the address connected to and DNS rebinding between the
/// create-time check and the delivery cannot reach a private network.
/// </summary>
public sealed class WebhookConnector(bool allowInsecureTargets)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = allowInsecureTargets ? addresses : addresses.Where(WebhookAddresses.IsPublic).ToArray();
        if (allowed.Length == 0) throw new WebhookTargetRefusedException(host);

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
