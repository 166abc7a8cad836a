using System.Net;
using System.Net.Sockets;

namespace Ipto.Testing;

public static class Ports
{
    /// <summary>A loopback TCP port that was free a moment ago (for silo, gateway and HTTP listeners in tests).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
