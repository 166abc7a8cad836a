using Ipto.Common;
using Ipto.Metering;
using Orleans.Concurrency;
using Ipto.Grains.Storage;

namespace Ipto.Grains.Metering;

[StatelessWorker]
public sealed class ActivityGrain(ActivityReader activity, KeysetPager pager) : Grain, IActivityGrain
{
    public Task<Page<SearchActivity>> Searches(Caller caller, SearchActivityFilter filter, PageRequest page)
    {
        Filter.Id("api_key_id", filter.ApiKeyId, IdPrefixes.ApiKey, "an API key id");
        if (filter.From >= filter.To) throw Filter.Invalid("from must be before to.", "from", "must be before to");
        var query = new SearchActivityQuery(caller.TenantId, filter.ApiKeyId, filter.From, filter.To);
        return pager.PageWithTotalAsync<SearchActivity>(page, $"searches:{caller.TenantId}:{filter.ApiKeyId}:{filter.From?.UtcTicks}:{filter.To?.UtcTicks}", async (after, take) =>
        {
            var (rows, total) = await activity.SearchesAsync(query, after, take);
            return (rows.Select(r => new SearchActivity(r.SearchActivityId, r.QueryText, r.ApiKeyId, r.DatasetIds, r.ResultCount, r.ChargedMicros, r.OccurredAt)).ToArray(),
                (long?)total);
        }, r => r.SearchActivityId);
    }
}
