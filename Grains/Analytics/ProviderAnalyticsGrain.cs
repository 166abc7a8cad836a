using Ipto.Analytics;
using Ipto.Common;
using Ipto.Datasets;
using Ipto.Grains.Datasets;
using Ipto.Grains.Hosting;
using Ipto.Grains.Metering;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace Ipto.Grains.Analytics;

[StatelessWorker]
public sealed class ProviderAnalyticsGrain(ProviderAnalyticsReader reader, DatasetProjection datasets, IOptions<IptoOptions> options, TimeProvider time)
    : Grain, IProviderAnalyticsGrain
{
    public async Task<ProviderAnalytics> Analytics(Caller caller, ProviderAnalyticsFilter filter)
    {
        Filter.Id("dataset_id", filter.DatasetId, IdPrefixes.Dataset, "a dataset id");
        var (from, to) = ReportRange.Of(filter.From, filter.To, time.GetUtcNow());
        if (filter.DatasetId is not null) await GrainFactory.GetGrain<IDatasetGrain>(filter.DatasetId).Get(caller); // another tenant's → 404
        return await reader.ReadAsync(caller.TenantId, filter.DatasetId, from, to, options.Value.Payouts.PlatformFeeRate);
    }

    public async Task<ProviderDashboard> Dashboard(Caller caller)
    {
        var live = (await datasets.ListAsync(caller.TenantId, null, null, null, int.MaxValue)).Where(d => d.Status != DatasetStatuses.Deleted).ToArray();
        return new ProviderDashboard(live.Length, Sum(live, c => c.ObjectCount), Sum(live, c => c.StorageBytes), Sum(live, c => c.StagedCount),
            Sum(live, c => c.ApprovedCount), Sum(live, c => c.RejectedCount));
    }

    public async Task<DatasetAnalytics> DatasetAnalytics(Caller caller, string datasetId, ProviderAnalyticsFilter filter)
    {
        var (from, to) = ReportRange.Of(filter.From, filter.To, time.GetUtcNow());
        if (!Ids.IsValid(datasetId, IdPrefixes.Dataset)) throw IptoException.NotFound("Dataset");
        var dataset = await GrainFactory.GetGrain<IDatasetGrain>(datasetId).Get(caller);
        var analytics = await reader.ReadAsync(caller.TenantId, datasetId, from, to, options.Value.Payouts.PlatformFeeRate);
        return new DatasetAnalytics(dataset.DatasetId, dataset.Name, dataset.Counters.ObjectCount, dataset.Counters.ActiveObjectCount,
            dataset.Counters.StorageBytes, analytics);
    }

    private static long Sum(IEnumerable<DatasetSnapshot> datasets, Func<DatasetCounters, long> counter) => datasets.Sum(d => counter(d.Counters));
}
