using System.Collections.Concurrent;
using Ipto.Grains.Hosting;
using Ipto.Grains.Metering;
using Ipto.Payouts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Payouts;

/// <summary>
/// The ledger writer's hook: before a batch commits, the statement of every (provider tenant, period) that earns in
/// it is opened, so a statement (and its reminder) exists for every period with earnings. Remembered per process, so
/// it costs one grain call per provider and period per silo.
/// </summary>
public sealed class PayoutStatementOpener(IServiceProvider services, IOptions<IptoOptions> options)
{
    /// <summary>Keys remembered at most; beyond, the memory starts over (a repeated open is a cheap no-op).</summary>
    private const int MaxRemembered = 100_000;

    private readonly ConcurrentDictionary<string, byte> _opened = new(StringComparer.Ordinal);
    private readonly PayoutPeriods _periods = options.Value.Payouts.Periods();

    public Task EnsureOpenAsync(IEnumerable<LedgerRow> rows)
    {
        var keys = rows.OfType<AccessEventRow>().Where(a => a.ChargedMicros > 0)
            .Select(a => PayoutKeys.Of(a.ProviderTenantId, _periods.StartOf(a.OccurredAt)))
            .Distinct(StringComparer.Ordinal).Where(k => !_opened.ContainsKey(k)).ToArray();
        return keys.Length == 0 ? Task.CompletedTask : OpenAsync(keys);
    }

    private async Task OpenAsync(string[] keys)
    {
        var grains = services.GetRequiredService<IGrainFactory>();
        await Task.WhenAll(keys.Select(async key =>
        {
            await grains.GetGrain<IPayoutStatementGrain>(key).Open();
            if (_opened.Count >= MaxRemembered) _opened.Clear();
            _opened.TryAdd(key, 0);
        }));
    }
}
