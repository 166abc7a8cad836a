using Ipto.Common;
using Ipto.Metering;
using Orleans.Concurrency;
using Ipto.Grains.Storage;

namespace Ipto.Grains.Metering;

[StatelessWorker]
public sealed class ActivityGrain(ActivityReader activity, SpendReader spend, KeysetPager pager, TimeProvider time) : Grain, IActivityGrain
{
    public Task<Page<SearchActivity>> Searches(Caller caller, SearchActivityFilter filter, PageRequest page)
    {
        Filter.Id("api_key_id", filter.ApiKeyId, IdPrefixes.ApiKey, "an API key id");
        CheckRange(filter.From, filter.To);
        var query = new SearchActivityQuery(caller.TenantId, filter.ApiKeyId, filter.From, filter.To);
        return pager.PageWithTotalAsync<SearchActivity>(page, $"searches:{caller.TenantId}:{filter.ApiKeyId}:{filter.From?.UtcTicks}:{filter.To?.UtcTicks}", async (after, take) =>
        {
            var (rows, total) = await activity.SearchesAsync(query, after, take);
            return (rows.Select(r => new SearchActivity(r.SearchActivityId, r.QueryText, r.ApiKeyId, r.DatasetIds, r.ResultCount, r.ChargedMicros, r.OccurredAt)).ToArray(),
                (long?)total);
        }, r => r.SearchActivityId);
    }

    public Task<Page<AccessActivity>> Accesses(Caller caller, AccessActivityFilter filter, PageRequest page)
    {
        Filter.Id("api_key_id", filter.ApiKeyId, IdPrefixes.ApiKey, "an API key id");
        Filter.Id("dataset_id", filter.DatasetId, IdPrefixes.Dataset, "a dataset id");
        Filter.OneOf("type", filter.Type, AccessTypes.All);
        CheckRange(filter.From, filter.To);
        var query = new AccessActivityQuery(caller.TenantId, filter.ApiKeyId, filter.DatasetId, filter.Type, filter.From, filter.To);
        var scope = $"accesses:{caller.TenantId}:{filter.ApiKeyId}:{filter.DatasetId}:{filter.Type}:{filter.From?.UtcTicks}:{filter.To?.UtcTicks}";
        return pager.PageWithTotalAsync<AccessActivity>(page, scope, async (after, take) =>
        {
            var (rows, total) = await activity.AccessesAsync(query, after is null ? null : AccessPosition.Parse(after), take);
            return (rows, (long?)total);
        }, r => new AccessPosition(r.OccurredAt, r.AccessId).Text);
    }

    public async Task<SpendReport> Spend(Caller caller, SpendFilter filter)
    {
        Filter.OneOf("group_by", filter.GroupBy, SpendGroupings.All);
        var groupBy = filter.GroupBy ?? SpendGroupings.Day;
        var (from, to) = ReportRange.Of(filter.From, filter.To, time.GetUtcNow());
        var groups = await spend.GroupsAsync(caller.TenantId, groupBy, from, to);
        return new SpendReport(groupBy, from.ToUniversalTime(), to.ToUniversalTime(), Money.Sum(groups.Select(g => g.AmountMicros)), groups);
    }

    public Task<BuyerDashboard> Dashboard(Caller caller)
    {
        var now = time.GetUtcNow();
        var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return spend.DashboardAsync(caller.TenantId, month, month.AddMonths(1), now);
    }

    private static void CheckRange(DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from >= to) throw Filter.Invalid("from must be before to.", "from", "must be before to");
    }
}
