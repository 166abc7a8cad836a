using System.Net.Sockets;
using Amazon.Runtime;
using Ipto.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Orleans.Runtime;

namespace Ipto.Api.Http;

/// <summary>Tells failures of a dependency that is down or settling (503, worth a retry) from everything else.</summary>
public static class ExceptionClassifier
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        IptoException => false,
        SiloUnavailableException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException
            or GatewayTooBusyException or ClientNotAvailableException => true,
        Orleans.Storage.InconsistentStateException => true,
        TimeoutException => true,
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is SocketException,
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        AmazonServiceException aws => (int)aws.StatusCode >= 500 || aws.InnerException is HttpRequestException or SocketException,
        HttpRequestException or SocketException => true,
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsTransient),
        OrleansException { InnerException: { } inner } => IsTransient(inner),
        _ => false,
    };
}
