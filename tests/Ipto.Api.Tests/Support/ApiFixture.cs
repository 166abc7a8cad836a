namespace Ipto.Api.Tests.Support;

/// <summary>One embedded Api per test class, with test credentials (the <c>X-Test-Caller</c> header).</summary>
public class ApiFixture : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("ipto-api-").FullName;

    public IptoApiFactory Factory { get; private set; } = null!;

    public string DataDir => _dataDir;

    protected virtual IptoApiFactory CreateFactory(string dataDir) => new(dataDir);

    /// <summary>Starts the host and its silo (in-memory TestServer unless a fixture listens for real).</summary>
    protected virtual void Start(IptoApiFactory factory) => factory.ClientFor(null).Dispose();

    public Task InitializeAsync()
    {
        Factory = CreateFactory(_dataDir);
        Start(Factory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>One embedded Api per test class with the real credentials (sessions and API keys) and a bootstrap platform admin.</summary>
public class IdentityFixture : ApiFixture
{
    public const string AdminEmail = "root@platform.example";
    public const string AdminPassword = "bootstrap-admin-password";

    public static IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Ipto:Bootstrap:AdminEmail"] = AdminEmail,
        ["Ipto:Bootstrap:AdminPassword"] = AdminPassword,
        // Small multipart settings so tests exercise multipart with a few MiB (the store's minimum part is 5 MiB).
        ["Ipto:Uploads:MultipartThresholdBytes"] = (6 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Ipto:Uploads:MinPartSizeBytes"] = (5 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    protected override IptoApiFactory CreateFactory(string dataDir) => new(dataDir, Settings, testCredentials: false);
}
