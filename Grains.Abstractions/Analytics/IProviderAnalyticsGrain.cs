using Ipto.Common;

namespace Ipto.Analytics;

/// <summary>A provider tenant's analytics and dashboard, read from the ledger's rollups and the read models. Stateless: any silo answers (use key 0).</summary>
[Alias("Ipto.IProviderAnalyticsGrain")]
public interface IProviderAnalyticsGrain : IGrainWithIntegerKey
{
    /// <summary>Other tenants' activity on the caller's tenant's datasets (one of them with <see cref="ProviderAnalyticsFilter.DatasetId"/>; another tenant's → 404).</summary>
    [Alias("Analytics")]
    Task<ProviderAnalytics> Analytics(Caller caller, ProviderAnalyticsFilter filter);

    [Alias("Dashboard")]
    Task<ProviderDashboard> Dashboard(Caller caller);

    /// <summary>One of the caller's tenant's datasets with its analytics; another tenant's → 404.</summary>
    [Alias("DatasetAnalytics")]
    Task<DatasetAnalytics> DatasetAnalytics(Caller caller, string datasetId, ProviderAnalyticsFilter filter);
}
