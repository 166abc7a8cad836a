using System.Net.Sockets;
using Amazon.Runtime;
using Ipto.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Runtime;

namespace Ipto.Grains.Hosting;

/// <summary>
/// Tells failures of a dependency that is down or settling (a silo, the database, the object store: 503, worth a
/// retry) from everything else. The one classifier of the silo's grain-call filter and of the Api.
/// </summary>
public static class TransientFailures
{
    public const string Message = "A service the platform depends on is temporarily unavailable; retry after a short wait.";

    public static bool IsTransient(Exception exception) => exception switch
    {
        IptoException ipto => ipto.Code == ErrorCodes.ServiceUnavailable,
        SiloUnavailableException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException
            or GatewayTooBusyException or ClientNotAvailableException => true,
        Orleans.Storage.InconsistentStateException => true,
        TimeoutException => true,
        // An exhausted pool times out waiting for a connection (inner TimeoutException): busy, not broken.
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException or TimeoutException,
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        AmazonServiceException aws => (int)aws.StatusCode >= 500 || aws.InnerException is HttpRequestException or SocketException,
        HttpRequestException or SocketException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsTransient),
        OrleansException { InnerException: { } inner } => IsTransient(inner),
        _ => false,
    };
}

/// <summary>
/// Every grain call leaves the silo with an exception its caller can read: a transient failure of a dependency
/// (Npgsql, SQLite, S3, a dead silo) becomes <see cref="IptoException"/> <c>service_unavailable</c>, which is
/// serializable, so a client-role Api answers 503 with Retry-After instead of failing to decode a driver's exception.
/// </summary>
public sealed class TransientFailureFilter(ILogger<TransientFailureFilter> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (e is not IptoException && TransientFailures.IsTransient(e))
        {
            logger.LogWarning(e, "{Grain}.{Method} met an unavailable dependency", context.TargetId, context.ImplementationMethod.Name);
            throw new IptoException(ErrorCodes.ServiceUnavailable, TransientFailures.Message);
        }
    }
}
