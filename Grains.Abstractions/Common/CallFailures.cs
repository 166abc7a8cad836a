using System.Net.Sockets;
using Orleans.Runtime;

namespace Ipto.Common;

/// <summary>
/// Tells a call that failed because something it depends on is down or settling (a silo, the database, the object
/// store: 503, worth a retry) from every other failure, as a grain's caller sees it. The silo side adds its drivers'
/// failures through <c>dependencyOutage</c>; a caller outside the cluster (the Api, an internal tool) needs none,
/// because a grain call never leaves the silo with a driver's exception.
/// </summary>
public static class CallFailures
{
    public const string UnavailableMessage = "A service the platform depends on is temporarily unavailable; retry after a short wait.";

    /// <param name="dependencyOutage">Whether an exception of a storage driver is an outage; null when it is none of its types.</param>
    public static bool IsTransient(Exception exception, Func<Exception, bool?>? dependencyOutage = null) => exception switch
    {
        IptoException ipto => ipto.Code == ErrorCodes.ServiceUnavailable,
        SiloUnavailableException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException
            or GatewayTooBusyException or ClientNotAvailableException => true,
        Orleans.Storage.InconsistentStateException => true,
        TimeoutException => true,
        _ when dependencyOutage?.Invoke(exception) is { } outage => outage,
        HttpRequestException or SocketException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(e => IsTransient(e, dependencyOutage)),
        OrleansException { InnerException: { } inner } => IsTransient(inner, dependencyOutage),
        _ => false,
    };
}
