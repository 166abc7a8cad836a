using Ipto.Grains.Hosting;

namespace Ipto.Domain.Tests.Common;

public sealed class IptoOptionsTests
{
    [Fact]
    public void DefaultsAreAValidEmbeddedSetup()
    {
        var options = new IptoOptions();

        options.Validate();
        Assert.False(options.IsCluster);
        Assert.True(options.ObjectStore.IsLocal);
    }

    [Theory]
    [InlineData("Mode")]
    [InlineData("Postgres:ConnectionString")]
    [InlineData("S3:ServiceUrl")]
    [InlineData("Api:Role")]
    [InlineData("Cluster:ResponseTimeout")]
    [InlineData("Jobs:ResumePeriod")]
    [InlineData("Idempotency:SweepPeriod")]
    [InlineData("Tenants:InvitationRetention")]
    public void InvalidSetupsFailNamingTheSetting(string setting)
    {
        var options = setting switch
        {
            "Mode" => new IptoOptions { Mode = "cloud" },
            "Postgres:ConnectionString" => new IptoOptions { Mode = "cluster" },
            "S3:ServiceUrl" => new IptoOptions { ObjectStore = { Provider = "s3" } },
            "Cluster:ResponseTimeout" => new IptoOptions { Cluster = { ResponseTimeout = TimeSpan.Zero } },
            "Jobs:ResumePeriod" => new IptoOptions { Jobs = { ResumePeriod = TimeSpan.FromSeconds(30) } },
            "Idempotency:SweepPeriod" => new IptoOptions { Idempotency = { SweepPeriod = TimeSpan.FromSeconds(30) } },
            "Tenants:InvitationRetention" => new IptoOptions { Tenants = { InvitationRetention = TimeSpan.FromDays(-1) } },
            _ => new IptoOptions { Api = { Role = "client" } },
        };

        var error = Assert.Throws<InvalidOperationException>(options.Validate);
        Assert.Contains(setting, error.Message);
    }

    [Fact]
    public void EveryPostgresConsumerGetsThePoolBudget()
    {
        var options = new IptoOptions { Mode = "cluster", Postgres = { ConnectionString = "Host=db;Database=ipto;Maximum Pool Size=100", MaxPoolSize = 6, PoolWaitSeconds = 3 } };

        var pooled = new Npgsql.NpgsqlConnectionStringBuilder(options.Postgres.PooledConnectionString);

        Assert.Equal(6, pooled.MaxPoolSize);
        Assert.Equal(3, pooled.Timeout);
        Assert.Equal("db", pooled.Host);
        Assert.Throws<InvalidOperationException>(() => new IptoOptions { Postgres = { MaxPoolSize = 0 } }.Validate());
    }
}
