using Ipto.Grains.Hosting;
using Ipto.Grains.Jobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Ipto.Testing.Jobs;

namespace Ipto.Grains.Tests.Support;

/// <summary>An in-process test cluster wired like embedded mode (SQLite grain state and reminders under a data dir).</summary>
public static class EmbeddedCluster
{
    public static async Task<InProcessTestCluster> StartAsync(string dataDir, short silos = 1, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Ipto:Mode"] = "embedded",
            ["Ipto:DataDir"] = dataDir,
            ["Ipto:Reminders:MinimumPeriod"] = "00:00:01",
            ["Ipto:Jobs:ResumePeriod"] = "00:00:02",
            ["Ipto:Identity:PasswordIterations"] = "1000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Services.AddSingleton<Ipto.Grains.Search.ITextEmbedder>(new HoldingEmbedder(new Ipto.Grains.Search.MiniLmEmbedder()));
            host.Services.AddIptoInfrastructure(configuration);
            host.Services.AddSingleton<IJobHandler, CountingJobHandler>();
            host.Services.AddSingleton<IJobHandler, FailingJobHandler>();
            host.Services.AddSingleton<IJobHandler, FlakyJobHandler>();
            host.Services.AddSingleton<Ipto.Grains.Datasets.IDatasetPurgeStep, HoldingPurgeStep>();
            host.Services.AddSingleton<Ipto.Grains.Normalization.ITextExtractor, HoldingExtractor>();
            host.Services.AddSingleton<Ipto.Grains.Normalization.IIngestionStage, RecordingIngestionStage>();
        });
        builder.ConfigureSilo((_, silo) => silo.AddIptoGrainServices(configuration));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
