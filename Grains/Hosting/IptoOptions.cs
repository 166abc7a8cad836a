using Ipto.Grains.Payouts;

namespace Ipto.Grains.Hosting;

/// <summary>The <c>Ipto</c> configuration section. Every setting is listed with its default in README.md.</summary>
public sealed class IptoOptions
{
    public const string Section = "Ipto";

    /// <summary><c>embedded</c> (SQLite, localhost clustering) or <c>cluster</c> (PostgreSQL).</summary>
    public string Mode { get; set; } = IptoModes.Embedded;

    /// <summary>Where embedded mode keeps everything (database file, local objects, secrets).</summary>
    public string DataDir { get; set; } = "./data";

    public PostgresOptions Postgres { get; set; } = new();
    public ClusterOptions Cluster { get; set; } = new();
    public ApiHostOptions Api { get; set; } = new();
    public ObjectStoreOptions ObjectStore { get; set; } = new();
    public S3Options S3 { get; set; } = new();
    public JobOptions Jobs { get; set; } = new();
    public ReminderSettings Reminders { get; set; } = new();
    public IdempotencyOptions Idempotency { get; set; } = new();
    public IdentityOptions Identity { get; set; } = new();
    public RateLimitOptions RateLimits { get; set; } = new();
    public BootstrapOptions Bootstrap { get; set; } = new();
    public ReviewOptions Review { get; set; } = new();
    public UploadOptions Uploads { get; set; } = new();
    public TenantOptions Tenants { get; set; } = new();
    public PayoutOptions Payouts { get; set; } = new();
    public Webhooks.WebhookOptions Webhooks { get; set; } = new();
    public Search.SearchOptions Search { get; set; } = new();
    public ManagementOptions Management { get; set; } = new();
    public LogOptions Logging { get; set; } = new();

    public bool IsCluster => string.Equals(Mode, IptoModes.Cluster, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <see cref="DataDir"/> made absolute: a relative path resolves against the process's current working directory
    /// (where the Api or silo was started), never against the content root or the binary's directory.
    /// </summary>
    public string FullDataDir => Path.GetFullPath(DataDir, Directory.GetCurrentDirectory());

    /// <summary>Fails start-up with a message naming the setting, instead of failing later on first use.</summary>
    public void Validate()
    {
        if (!string.Equals(Mode, IptoModes.Embedded, StringComparison.OrdinalIgnoreCase) && !IsCluster)
            throw new InvalidOperationException($"Ipto:Mode must be '{IptoModes.Embedded}' or '{IptoModes.Cluster}', not '{Mode}'.");
        if (IsCluster && string.IsNullOrWhiteSpace(Postgres.ConnectionString))
            throw new InvalidOperationException("Ipto:Postgres:ConnectionString (Ipto__Postgres__ConnectionString) is required in cluster mode.");
        if (Postgres.MaxPoolSize < 1 || Postgres.PoolWaitSeconds < 1)
            throw new InvalidOperationException("Ipto:Postgres:MaxPoolSize and Ipto:Postgres:PoolWaitSeconds must be at least 1.");
        if (!ObjectStore.IsLocal && !ObjectStore.IsS3)
            throw new InvalidOperationException($"Ipto:ObjectStore:Provider must be 'local' or 's3', not '{ObjectStore.Provider}'.");
        if (ObjectStore.IsS3 && (string.IsNullOrWhiteSpace(S3.ServiceUrl) || string.IsNullOrWhiteSpace(S3.Bucket)))
            throw new InvalidOperationException("Ipto:S3:ServiceUrl and Ipto:S3:Bucket are required when Ipto:ObjectStore:Provider is 's3'.");
        if (!string.Equals(Api.Role, ApiRoles.CoHosted, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(Api.Role, ApiRoles.Client, StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"Ipto:Api:Role must be '{ApiRoles.CoHosted}' or '{ApiRoles.Client}', not '{Api.Role}'.");
        if (!IsCluster && Api.IsClient)
            throw new InvalidOperationException("Ipto:Api:Role 'client' needs Ipto:Mode 'cluster' (embedded mode always co-hosts its silo).");
        if (!IsCluster && Cluster.Kubernetes)
            throw new InvalidOperationException("Ipto:Cluster:Kubernetes needs Ipto:Mode 'cluster' (embedded mode's silo is alone on localhost).");
        if (Cluster.ResponseTimeout < TimeSpan.FromSeconds(1) || Cluster.ProbeTimeout < TimeSpan.FromMilliseconds(500)
            || Cluster.GatewayListRefreshPeriod < TimeSpan.FromSeconds(1))
            throw new InvalidOperationException(
                "Ipto:Cluster:ResponseTimeout and Ipto:Cluster:GatewayListRefreshPeriod must be at least 1 s, Ipto:Cluster:ProbeTimeout at least 500 ms.");
        if (Jobs.ResumePeriod < Reminders.MinimumPeriod || Idempotency.SweepPeriod < Reminders.MinimumPeriod)
            throw new InvalidOperationException("Ipto:Jobs:ResumePeriod and Ipto:Idempotency:SweepPeriod must be at least Ipto:Reminders:MinimumPeriod.");
        if (Tenants.InvitationRetention < TimeSpan.Zero)
            throw new InvalidOperationException("Ipto:Tenants:InvitationRetention must not be negative.");
        if (!string.Equals(Logging.Format, LogFormats.Text, StringComparison.OrdinalIgnoreCase) && !Logging.IsJson)
            throw new InvalidOperationException($"Ipto:Logging:Format must be '{LogFormats.Text}' or '{LogFormats.Json}', not '{Logging.Format}'.");
        Payouts.Validate();
        Webhooks.Validate();
        Search.Validate();
    }
}

public static class IptoModes
{
    public const string Embedded = "embedded";
    public const string Cluster = "cluster";
}

public static class ApiRoles
{
    public const string CoHosted = "cohosted";
    public const string Client = "client";
}

public sealed class PostgresOptions
{
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Connections per pool. Each process holds two pools (the app's read models and ledger; Orleans' membership,
    /// grain state and reminders), so a cluster needs processes × 2 × this ≤ PostgreSQL's max_connections minus its
    /// reserved slots. An exhausted pool waits up to <see cref="PoolWaitSeconds"/> and then answers 503.
    /// </summary>
    public int MaxPoolSize { get; set; } = 8;

    /// <summary>How long a request waits for a free pooled connection (also the connect timeout).</summary>
    public int PoolWaitSeconds { get; set; } = 5;

    /// <summary>The connection string every consumer uses: the configured one with the pool settings applied.</summary>
    public string? PooledConnectionString => ConnectionString is null
        ? null
        : new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString) { MaxPoolSize = MaxPoolSize, Timeout = PoolWaitSeconds }.ConnectionString;
}

public sealed class ClusterOptions
{
    public string ClusterId { get; set; } = "ipto";
    public string ServiceId { get; set; } = "ipto";
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// Cluster mode on Kubernetes: the silo takes its name and advertised address from the pod (downward API) instead
    /// of <see cref="AdvertisedAddress"/>, listens on every address, and declares dead the silos whose pods are gone.
    /// </summary>
    public bool Kubernetes { get; set; }

    /// <summary>
    /// How long any grain call waits for its answer before it fails (503 to an HTTP caller). Bounds the stall of a
    /// call that was in flight on a silo that died; a deliberate operation longer than this keeps running and a retry
    /// under its Idempotency-Key picks up its result.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Membership probe timeout: a silo that misses three probes in a row is voted dead (about 3× this).</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a client-role Api re-reads the gateway list (a restarted silo takes client traffic after this).</summary>
    public TimeSpan GatewayListRefreshPeriod { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>The operators' listener: health, readiness and the Prometheus scrape endpoint, apart from the public API.</summary>
public sealed class ManagementOptions
{
    /// <summary>
    /// Where a process (Api or silo) serves <c>/health</c>, <c>/health/ready</c> and <c>/metrics</c> without a
    /// credential, e.g. <c>http://127.0.0.1:9464</c>; unset, a silo serves nothing over HTTP and the Api serves
    /// <c>/metrics</c> on its own port to platform admins only.
    /// </summary>
    public string? Urls { get; set; }
}

public sealed class LogOptions
{
    /// <summary><c>text</c> (one line per entry, timestamped) or <c>json</c> (one JSON object per line).</summary>
    public string Format { get; set; } = LogFormats.Text;

    public bool IsJson => string.Equals(Format, LogFormats.Json, StringComparison.OrdinalIgnoreCase);
}

public static class LogFormats
{
    public const string Text = "text";
    public const string Json = "json";
}

public sealed class ApiHostOptions
{
    /// <summary><c>cohosted</c>: the Api process runs a silo too; <c>client</c>: it joins the cluster as an Orleans client.</summary>
    public string Role { get; set; } = ApiRoles.CoHosted;

    public bool IsClient => string.Equals(Role, ApiRoles.Client, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// After SIGTERM the Api keeps serving for this long while <c>/health/ready</c> answers 503, so a load balancer
    /// stops sending before the listener closes.
    /// </summary>
    public TimeSpan DrainPeriod { get; set; } = TimeSpan.FromSeconds(5);
}

public sealed class ObjectStoreOptions
{
    public string Provider { get; set; } = "local";

    /// <summary>Base URL clients use to reach the local store's presigned routes (the Api's own address).</summary>
    public string? PublicBaseUrl { get; set; }

    public bool IsLocal => string.Equals(Provider, "local", StringComparison.OrdinalIgnoreCase);
    public bool IsS3 => string.Equals(Provider, "s3", StringComparison.OrdinalIgnoreCase);
}

public sealed class S3Options
{
    public string? ServiceUrl { get; set; }
    public string? Bucket { get; set; }
    public string Region { get; set; } = "us-east-1";
    public string? AccessKey { get; set; }
    public string? SecretKey { get; set; }
    public bool ForcePathStyle { get; set; } = true;
}

public sealed class JobOptions
{
    /// <summary>How often the job sweeper's reminder re-drives every unfinished job (after a crash or a failed attempt).</summary>
    public TimeSpan ResumePeriod { get; set; } = TimeSpan.FromMinutes(1);
}

public sealed class ReminderSettings
{
    /// <summary>Orleans refuses shorter reminder periods; tests lower it.</summary>
    public TimeSpan MinimumPeriod { get; set; } = TimeSpan.FromMinutes(1);
}

public sealed class IdempotencyOptions
{
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the sweeper deletes expired records (a key is refused or replayed by its expiry, not by the sweep).</summary>
    public TimeSpan SweepPeriod { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed class IdentityOptions
{
    /// <summary>PBKDF2-SHA256 work factor for new password hashes (OWASP: at least 600,000).</summary>
    public int PasswordIterations { get; set; } = 600_000;

    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(24);
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Failed logins allowed per email within <see cref="FailedLoginWindow"/> before 429.</summary>
    public int FailedLoginsPerEmail { get; set; } = 5;

    public TimeSpan FailedLoginWindow { get; set; } = TimeSpan.FromMinutes(15);
}

public sealed class RateLimitOptions
{
    /// <summary>Sustained requests per second of a session or key without its own limit; the burst is twice this.</summary>
    public double DefaultPerSecond { get; set; } = 100;

    /// <summary>Signup and login attempts per client IP per minute (one shared bucket).</summary>
    public double AuthPerIpPerMinute { get; set; } = 10;
}

public sealed class BootstrapOptions
{
    /// <summary>The platform admin created (or confirmed) at start-up; empty for none.</summary>
    public string? AdminEmail { get; set; }

    public string? AdminPassword { get; set; }
}

public sealed class ReviewOptions
{
    /// <summary>How long an unreviewed staged object waits before it expires (counted from upload completion).</summary>
    public TimeSpan StagedTtl { get; set; } = TimeSpan.FromHours(72);
}

public sealed class UploadOptions
{
    public long MultipartThresholdBytes { get; set; } = 64L * 1024 * 1024;
    public long MinPartSizeBytes { get; set; } = 8L * 1024 * 1024;
    public long MaxObjectSizeBytes { get; set; } = 50L * 1024 * 1024 * 1024;
    public TimeSpan UrlLifetime { get; set; } = TimeSpan.FromHours(1);
}

public sealed class PayoutOptions
{
    /// <summary>The platform's share of gross revenue, a fraction from 0 to 1.</summary>
    public decimal PlatformFeeRate { get; set; } = 0.20m;

    /// <summary>How long a closed statement stays in its dispute/hold window before it is released.</summary>
    public TimeSpan HoldWindow { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How long after a period's end its statements close, so events in flight at the end land first.</summary>
    public TimeSpan CloseGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary><c>month</c> (UTC calendar months) or a TimeSpan (periods of that length aligned to the Unix epoch).</summary>
    public string Period { get; set; } = PayoutPeriods.Month;

    public PayoutPeriods Periods() => PayoutPeriods.Parse(Period);

    public void Validate()
    {
        if (PlatformFeeRate is < 0 or > 1)
            throw new InvalidOperationException($"Ipto:Payouts:PlatformFeeRate must be from 0 to 1, not {PlatformFeeRate}.");
        if (HoldWindow < TimeSpan.Zero || CloseGrace < TimeSpan.Zero)
            throw new InvalidOperationException("Ipto:Payouts:HoldWindow and Ipto:Payouts:CloseGrace must not be negative.");
        _ = Periods();
    }
}

public sealed class TenantOptions
{
    /// <summary>How long an accepted, revoked or expired invitation stays listed before the tenant drops it.</summary>
    public TimeSpan InvitationRetention { get; set; } = TimeSpan.FromDays(30);
}
