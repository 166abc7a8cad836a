using Ipto.Common;
using Ipto.Search;

namespace Ipto.Grains.Search;

/// <summary>
/// The unserved results of one search page, in memory only (idle sessions are collected after 15 minutes): a lost
/// session answers "run the search again" rather than risk serving or charging a result twice.
/// </summary>
[CollectionAgeLimit(Minutes = 15)]
public sealed class SearchSessionGrain : Grain, ISearchSessionGrain
{
    private SearchSession? _session;
    private bool _claimed;

    public Task Start(SearchSession session)
    {
        _session ??= session;
        return Task.CompletedTask;
    }

    public Task<SearchSessionSlice?> Claim(Caller caller)
    {
        if (_session is null || _claimed || _session.TenantId != caller.TenantId || _session.PrincipalId != caller.PrincipalId)
            return Task.FromResult<SearchSessionSlice?>(null);
        _claimed = true;
        var slice = new SearchSessionSlice(_session.Request, _session.ModeUsed, _session.Remaining, _session.RanksServed);
        _session = null;
        DeactivateOnIdle();
        return Task.FromResult<SearchSessionSlice?>(slice);
    }
}
