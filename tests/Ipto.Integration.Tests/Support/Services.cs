using Npgsql;

namespace Ipto.Integration.Tests.Support;

/// <summary>
/// The real PostgreSQL and S3 emulator that <c>deploy/local/up.sh</c> starts; tests read the environment it prints.
/// Run by hand without them, the tests are skipped with a message saying how to start them; with
/// <c>IPTO_REQUIRE_SERVICES=1</c> (as CI sets) a missing service fails the run instead.
/// </summary>
public static class Services
{
    private const string HowTo = "start them with: eval \"$(deploy/local/up.sh)\"";

    public static string? PostgresConnectionString => Environment.GetEnvironmentVariable("Ipto__Postgres__ConnectionString");
    public static string? S3ServiceUrl => Environment.GetEnvironmentVariable("Ipto__S3__ServiceUrl");
    public static string S3Bucket => Environment.GetEnvironmentVariable("Ipto__S3__Bucket") ?? "ipto";
    public static string S3Region => Environment.GetEnvironmentVariable("Ipto__S3__Region") ?? "us-east-1";
    public static string? S3AccessKey => Environment.GetEnvironmentVariable("Ipto__S3__AccessKey");
    public static string? S3SecretKey => Environment.GetEnvironmentVariable("Ipto__S3__SecretKey");

    private static bool Required => Environment.GetEnvironmentVariable("IPTO_REQUIRE_SERVICES") == "1";

    public static string RequirePostgres()
    {
        Require(PostgresConnectionString is not null, "PostgreSQL is not configured (Ipto__Postgres__ConnectionString)");
        return PostgresConnectionString!;
    }

    public static void RequireS3() => Require(S3ServiceUrl is not null, "The S3 emulator is not configured (Ipto__S3__ServiceUrl)");

    /// <summary>Points <paramref name="settings"/> at the S3 emulator for the object store.</summary>
    public static Dictionary<string, string?> WithS3(this Dictionary<string, string?> settings)
    {
        settings["Ipto:ObjectStore:Provider"] = "s3";
        settings["Ipto:S3:ServiceUrl"] = S3ServiceUrl;
        settings["Ipto:S3:Bucket"] = S3Bucket;
        settings["Ipto:S3:Region"] = S3Region;
        settings["Ipto:S3:AccessKey"] = S3AccessKey;
        settings["Ipto:S3:SecretKey"] = S3SecretKey;
        return settings;
    }

    private static void Require(bool available, string what)
    {
        if (available) return;
        if (Required) throw new InvalidOperationException($"{what}; {HowTo}.");
        Skip.If(true, $"SKIPPED: {what}; {HowTo}.");
    }
}

/// <summary>A fresh PostgreSQL database per test class, dropped afterwards.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;

    private TestDatabase(string adminConnectionString, string name, string connectionString)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        var admin = Services.RequirePostgres();
        var name = "ipto_it_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name };
        return new TestDatabase(admin, name, builder.ToString());
    }

    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
