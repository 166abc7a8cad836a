using Amazon.S3;
using Ipto.Common;
using Ipto.Grains.Hosting;
using Npgsql;

namespace Ipto.Domain.Tests.Hosting;

/// <summary>What a failed grain call becomes for its caller: outages are 503s, driver exceptions never cross the silo boundary.</summary>
public sealed class TransientFailuresTests
{
    [Theory]
    [InlineData("57P01")] // terminating connection due to administrator command (a server stopping)
    [InlineData("57P03")] // the database system is starting up
    [InlineData("08006")] // connection failure
    [InlineData("53300")] // too many connections
    public void ServerErrorsOfAnOutageAreServiceUnavailable(string sqlState)
    {
        var replacement = TransientFailures.ForCaller(new PostgresException("down", "FATAL", "FATAL", sqlState));

        Assert.Equal(ErrorCodes.ServiceUnavailable, replacement?.Code);
    }

    [Fact]
    public void AClientSideDatabaseFailureIsServiceUnavailable()
    {
        var replacement = TransientFailures.ForCaller(new NpgsqlException("Exception while reading from stream", new EndOfStreamException()));

        Assert.Equal(ErrorCodes.ServiceUnavailable, replacement?.Code);
    }

    [Fact]
    public void AStatementsOwnFailureIsAnInternalErrorWithoutTheDriversException()
    {
        var unique = new PostgresException("duplicate key", "ERROR", "ERROR", "23505");

        var direct = TransientFailures.ForCaller(unique);
        var wrapped = TransientFailures.ForCaller(new InvalidOperationException("saving failed", unique));
        var aggregated = TransientFailures.ForCaller(new AggregateException(new ArgumentException("x"), new AmazonS3Exception("denied")));

        Assert.All([direct, wrapped, aggregated], e =>
        {
            Assert.Equal(ErrorCodes.InternalError, e?.Code);
            Assert.Null(e!.InnerException);
        });
    }

    [Fact]
    public void OtherFailuresAndBusinessErrorsPassThrough()
    {
        Assert.Null(TransientFailures.ForCaller(new InvalidOperationException("a bug of our own")));
        Assert.Null(TransientFailures.ForCaller(IptoException.NotFound("Dataset")));
        Assert.Null(TransientFailures.ForCaller(new IptoException(ErrorCodes.ServiceUnavailable, "already translated")));
    }
}
