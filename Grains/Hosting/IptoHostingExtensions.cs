using Orleans.Dashboard;
using System.Net;
using Ipto.Grains.Jobs;
using Ipto.Grains.ObjectStore;
using Ipto.Grains.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Ipto.Grains.Hosting;

/// <summary>The one place that wires a silo, a client and the shared services for either mode.</summary>
public static class IptoHostingExtensions
{
    public const string NpgsqlInvariant = "Npgsql";

    /// <summary>Reads and validates the <c>Ipto</c> section.</summary>
    public static IptoOptions ReadIptoOptions(this IConfiguration configuration)
    {
        var options = new IptoOptions();
        configuration.GetSection(IptoOptions.Section).Bind(options);
        options.Validate();
        return options;
    }

    /// <summary>Services every IPTO process needs (silo or client): options, app database, migrations, object store.</summary>
    public static IServiceCollection AddIptoInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.ReadIptoOptions();
        services.AddOptions<IptoOptions>().Bind(configuration.GetSection(IptoOptions.Section));
        services.TryAddTimeProvider();
        services.AddSingleton(_ => AppDatabase.Create(options));
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<PlatformSecrets>();
        services.AddSingleton<Cursors>();
        services.AddSingleton<KeysetPager>();
        services.AddSingleton<JobProjection>();
        services.AddSingleton<Idempotency.IdempotencyStore>();
        services.AddSingleton<Ipto.Identity.VerifiedCredentials>();
        services.AddSingleton<ApiKeys.ApiKeyProjection>();
        services.AddSingleton<Datasets.DatasetProjection>();
        services.AddSingleton<Search.SearchableDatasets>();
        services.AddSingleton<Search.IndexShardStore>();
        services.AddSingleton<Search.ShardSnapshots>();
        services.AddSingleton<Search.IndexShardMap>();
        services.AddSingleton<Datasets.CatalogReader>();
        services.AddSingleton<Datasets.IDatasetPurgeStep, Datasets.DatasetObjectPurgeStep>();
        services.AddSingleton<Datasets.IDatasetPurgeStep, Datasets.DatasetIndexPurgeStep>();
        services.AddSingleton<Datasets.IDatasetPurgeStep, Datasets.DatasetBlobPurgeStep>();
        services.AddSingleton<IJobHandler, Datasets.DatasetDeletionHandler>();
        services.AddSingleton<Objects.ObjectProjection>();
        services.AddSingleton<Normalization.ITextExtractor, Normalization.PlainTextExtractor>();
        services.AddSingleton<Normalization.ITextExtractor, Normalization.HtmlExtractor>();
        services.AddSingleton<Normalization.ITextExtractor, Normalization.DelimitedTextExtractor>();
        services.AddSingleton<Normalization.ITextExtractor, Normalization.JsonLinesExtractor>();
        services.AddSingleton<Normalization.ITextExtractor, Normalization.JsonDocumentExtractor>();
        services.AddSingleton<Normalization.ITextExtractor, Normalization.PdfExtractor>();
        services.AddSingleton<Normalization.ITextExtractor, Normalization.DocxExtractor>();
        services.AddSingleton<Normalization.ITextExtractor, Normalization.MediaMetadataExtractor>();
        services.AddSingleton<IJobHandler, Normalization.NormalizationHandler>();
        services.AddSingleton<IJobHandler, Normalization.IngestionHandler>();
        services.AddSingleton<Normalization.IIngestionStage, Search.IndexingStage>();
        services.TryAddSingleton<Search.ITextEmbedder, Search.MiniLmEmbedder>();
        services.AddSingleton<Objects.ObjectBlobPurger>();
        services.AddSingleton<IJobHandler, Objects.ObjectPurgeHandler>();
        services.AddSingleton<IJobHandler, Objects.BulkObjectDeleteHandler>();
        services.AddSingleton(new Identity.PasswordHasher(options.Identity.PasswordIterations));
        services.AddSingleton<IObjectStore>(sp => options.ObjectStore.IsS3
            ? new S3ObjectStore(options.S3)
            : sp.GetRequiredService<LocalObjectStore>());
        services.AddSingleton(sp => new LocalObjectStore(
            Path.Combine(options.FullDataDir, "objects"),
            new Uri(options.ObjectStore.PublicBaseUrl ?? "http://127.0.0.1:5080/"),
            sp.GetRequiredService<PlatformSecrets>(),
            sp.GetRequiredService<TimeProvider>()));
        // Registered before Orleans' own hosted services, so the schema exists before a silo or client starts.
        services.AddHostedService<SchemaMigrationService>();
        services.AddSingleton<Metering.LedgerWriter>();
        services.AddSingleton<Metering.ActivityReader>();
        services.AddSingleton<Billing.BillableEvents>();
        services.AddSingleton<Metering.SpendReader>();
        services.AddSingleton<Metering.LedgerRollups>();
        services.AddSingleton<Analytics.ProviderAnalyticsReader>();
        services.AddSingleton<Metering.SearchReplays>();
        services.AddSingleton<Payouts.PayoutProjection>();
        services.AddSingleton<Payouts.PayoutLedger>();
        services.AddSingleton<Payouts.PayoutStatementOpener>();
        services.AddHostedService(sp => sp.GetRequiredService<Metering.LedgerWriter>());
        services.AddHostedService<Metering.LedgerRollupFlusher>();
        return services;
    }

    /// <summary>Configures a silo for the configured mode: clustering, grain storage, reminders, serializer.</summary>
    public static ISiloBuilder UseIpto(this ISiloBuilder silo, IConfiguration configuration)
    {
        var options = configuration.ReadIptoOptions();
        silo.Configure<Orleans.Configuration.ClusterOptions>(o =>
        {
            o.ClusterId = options.Cluster.ClusterId;
            o.ServiceId = options.Cluster.ServiceId;
        });
        if (options.IsCluster)
        {
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = options.Cluster.ResponseTimeout);
            silo.Configure<ClusterMembershipOptions>(o => o.ProbeTimeout = options.Cluster.ProbeTimeout);
            if (options.Cluster.Kubernetes)
            {
                // Kubernetes hosting post-configures only what is still unset: the listeners (any address, these
                // ports) and the advertised address. Orleans' own post-configuration fills that address with the first
                // local one before it gets there, so the pod's IP is set here.
                var podIp = Environment.GetEnvironmentVariable(Orleans.Hosting.Kubernetes.KubernetesHostingOptions.PodIPEnvironmentVariable);
                silo.Configure<EndpointOptions>(o =>
                {
                    o.SiloPort = options.Cluster.SiloPort;
                    o.GatewayPort = options.Cluster.GatewayPort;
                    if (!string.IsNullOrWhiteSpace(podIp)) o.AdvertisedIPAddress = IPAddress.Parse(podIp);
                });
                silo.UseKubernetesHosting();
            }
            else
            {
                silo.ConfigureEndpoints(IPAddress.Parse(options.Cluster.AdvertisedAddress), options.Cluster.SiloPort, options.Cluster.GatewayPort, listenOnAnyHostAddress: false);
            }
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = NpgsqlInvariant;
                o.ConnectionString = options.Postgres.PooledConnectionString;
            });
        }
        else
        {
            silo.UseLocalhostClustering(options.Cluster.SiloPort, options.Cluster.GatewayPort, serviceId: options.Cluster.ServiceId, clusterId: options.Cluster.ClusterId);
        }

        return silo.AddIptoGrainServices(configuration);
    }

    /// <summary>Everything a silo needs besides clustering (test clusters bring their own): storage, reminders, sweepers.</summary>
    public static ISiloBuilder AddIptoGrainServices(this ISiloBuilder silo, IConfiguration configuration)
    {
        var options = configuration.ReadIptoOptions();
        silo.AddActivityPropagation();
        silo.AddDashboard();
        silo.AddIncomingGrainCallFilter<TransientFailureFilter>();
        silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = options.Reminders.MinimumPeriod);
        silo.Services.AddSingleton<IGrainStorageSerializer, OrleansGrainStorageSerializer>();
        if (options.IsCluster)
        {
            silo.AddAdoNetGrainStorage(StorageNames.Default, o =>
            {
                o.Invariant = NpgsqlInvariant;
                o.ConnectionString = options.Postgres.PooledConnectionString;
            });
            silo.UseAdoNetReminderService(o =>
            {
                o.Invariant = NpgsqlInvariant;
                o.ConnectionString = options.Postgres.PooledConnectionString;
            });
        }
        else
        {
            silo.Services.AddGrainStorage(StorageNames.Default, (sp, _) => new SqliteGrainStorage(
                sp.GetRequiredService<AppDatabase>(), sp.GetRequiredService<IGrainStorageSerializer>()));
            silo.Services.AddReminders();
            silo.Services.AddSingleton<IReminderTable, SqliteReminderTable>();
        }

        CallerSafeGrainStorage.Decorate(silo.Services, StorageNames.Default);

        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, Identity.PlatformAdminBootstrap>();
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SweeperBootstrap>();

        silo.Services.AddSingleton<Webhooks.WebhookStore>();
        silo.Services.AddSingleton<Webhooks.WebhookUrlPolicy>();
        silo.Services.AddSingleton<Webhooks.WebhookSender>();
        silo.Services.AddHttpClient(Webhooks.WebhookSender.ClientName, client => client.Timeout = Webhooks.WebhookSender.Timeout)
            .ConfigurePrimaryHttpMessageHandler(() => Webhooks.WebhookSender.Handler(options.Webhooks.AllowInsecureTargets));
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, Webhooks.WebhookDispatcher>();
        return silo;
    }

    /// <summary>Configures an Orleans client that joins a cluster through the PostgreSQL membership table.</summary>
    public static IClientBuilder UseIptoClient(this IClientBuilder client, IConfiguration configuration)
    {
        var options = configuration.ReadIptoOptions();
        client.Configure<Orleans.Configuration.ClusterOptions>(o =>
        {
            o.ClusterId = options.Cluster.ClusterId;
            o.ServiceId = options.Cluster.ServiceId;
        });
        client.UseAdoNetClustering(o =>
        {
            o.Invariant = NpgsqlInvariant;
            o.ConnectionString = options.Postgres.PooledConnectionString;
        });
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = options.Cluster.ResponseTimeout);
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = options.Cluster.GatewayListRefreshPeriod);
        client.AddActivityPropagation();
        client.AddDashboard();
        return client;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (services.All(d => d.ServiceType != typeof(TimeProvider)))
            services.AddSingleton(TimeProvider.System);
    }
}

/// <summary>Applies pending schema scripts at start-up, before the silo or client joins the cluster.</summary>
public sealed class SchemaMigrationService(SchemaMigrator migrator, ILogger<SchemaMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var applied = await migrator.MigrateAsync(cancellationToken);
        logger.LogDebug("Schema up to date ({Applied} scripts applied now)", applied.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
