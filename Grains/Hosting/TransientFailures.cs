using System.Net.Sockets;
using Amazon.Runtime;
using Ipto.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;
using Orleans.Runtime;

namespace Ipto.Grains.Hosting;

/// <summary>
/// The silo side of <see cref="CallFailures"/>: its storage drivers' outages count as transient too, and no driver
/// exception leaves a grain call (<see cref="ForCaller"/>).
/// </summary>
public static class TransientFailures
{
    public static bool IsTransient(Exception exception) => CallFailures.IsTransient(exception, DriverOutage);

    private static bool? DriverOutage(Exception exception) => exception switch
    {
        // The server refusing or dropping connections (class 08), out of resources (53), shutting down or restarting
        // (57) or failing (58) is an outage; any other server error is a statement's own failure.
        PostgresException postgres => postgres.IsTransient || postgres.SqlState[..2] is "08" or "53" or "57" or "58",
        // Client-side failures (no server error): a broken or refused connection, an exhausted pool's wait, a timeout.
        NpgsqlOperationInProgressException => false, // a connection used concurrently: a bug
        NpgsqlException => true,
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        AmazonServiceException aws => (int)aws.StatusCode >= 500 || aws.InnerException is HttpRequestException or SocketException,
        _ => null,
    };

    /// <summary>
    /// The exception a failed grain call should leave the silo with, or null to let it through: a transient failure
    /// becomes <c>service_unavailable</c>; any other failure that carries a driver's exception (Npgsql, SQLite, the
    /// AWS SDK: types no Orleans codec knows, which a client-role Api could not decode) becomes <c>internal_error</c>.
    /// </summary>
    public static IptoException? ForCaller(Exception exception) => exception switch
    {
        IptoException => null,
        _ when IsTransient(exception) => new IptoException(ErrorCodes.ServiceUnavailable, CallFailures.UnavailableMessage),
        _ when CarriesDriverException(exception) => new IptoException(ErrorCodes.InternalError, "An internal error occurred."),
        _ => null,
    };

    private static readonly HashSet<string> DriverAssemblies = new(StringComparer.Ordinal)
    {
        typeof(NpgsqlException).Assembly.GetName().Name!,
        typeof(SqliteException).Assembly.GetName().Name!,
        typeof(AmazonServiceException).Assembly.GetName().Name!,
        typeof(Amazon.S3.AmazonS3Exception).Assembly.GetName().Name!,
    };

    private static bool CarriesDriverException(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (DriverAssemblies.Contains(e.GetType().Assembly.GetName().Name!)) return true;
            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(CarriesDriverException)) return true;
        }

        return false;
    }
}

/// <summary>Every grain call leaves the silo with an exception its caller can decode (<see cref="TransientFailures.ForCaller"/>).</summary>
public sealed class TransientFailureFilter(ILogger<TransientFailureFilter> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception e) when (TransientFailures.ForCaller(e) is { } replacement)
        {
            if (replacement.Code == ErrorCodes.ServiceUnavailable)
                logger.LogWarning(e, "{Grain}.{Method} met an unavailable dependency", context.TargetId, context.ImplementationMethod.Name);
            else
                logger.LogError(e, "{Grain}.{Method} failed", context.TargetId, context.ImplementationMethod.Name);
            throw replacement;
        }
    }
}
