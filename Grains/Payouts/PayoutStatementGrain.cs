using System.Text.Json;
using Ipto.Common;
using Ipto.Grains.Hosting;
using Ipto.Grains.Idempotency;
using Ipto.Grains.Storage;
using Ipto.Idempotency;
using Ipto.Identity;
using Ipto.Payouts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Payouts;

/// <summary>
/// One provider tenant's statement for one period (key <c>{tenant_id}/{period key}</c>). A single reminder drives it:
/// aimed at <c>period_end + CloseGrace</c> while open, then at <c>hold_until</c>, then removed. Every transition is
/// written to state (with its outbox event) before anything else happens, and applies once, so a tick that fires twice
/// or a silo that dies mid-close changes nothing more; the projection and its events follow, again on activation.
/// </summary>
public sealed class PayoutStatementGrain(
    [PersistentState("payout-statement", StorageNames.Default)] IPersistentState<PayoutStatementState> state,
    PayoutProjection projection,
    PayoutLedger ledger,
    IOptions<IptoOptions> options,
    TimeProvider time,
    ILogger<PayoutStatementGrain> logger) : Grain, IPayoutStatementGrain, IRemindable
{
    public const string ReminderName = "payout";

    /// <summary>Reminders further out than this are aimed here and re-aimed when they fire (timers cannot wait arbitrarily long).</summary>
    private static readonly TimeSpan MaxReminderDue = TimeSpan.FromDays(30);

    private string GrainKey => this.GetPrimaryKeyString();

    private PayoutOptions Settings => options.Value.Payouts;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!state.RecordExists) return;
        await Projection.CatchUpAsync(this, WriteProjectionAsync, logger, "payout statement", GrainKey);
    }

    public async Task Open()
    {
        if (!state.RecordExists)
        {
            var (tenantId, periodStart) = PayoutKeys.Parse(GrainKey);
            var start = Settings.Periods().StartOf(periodStart);
            if (start != periodStart) throw new ArgumentException($"'{GrainKey}' does not name the start of a settlement period.");
            var now = time.GetUtcNow();
            state.State = new PayoutStatementState
            {
                StatementId = StatementMachine.StatementIdOf(GrainKey, start),
                TenantId = tenantId,
                PeriodStart = start,
                PeriodEnd = Settings.Periods().EndOf(start),
                UpdatedAt = now,
            };
            await SaveAsync();
            await ArmAsync();
            return;
        }

        // A statement whose first open failed after its state write still gets its reminder from a later open.
        if (StatementMachine.NextDue(state.State, Settings.CloseGrace) is not null && await this.GetReminder(ReminderName) is null) await ArmAsync();
    }

    public async Task<PayoutStatement> Get(Caller caller)
    {
        EnsureReadableBy(caller);
        return await SnapshotAsync();
    }

    public async Task<PayoutHold> PlaceHold(Caller caller, NewPayoutHold hold, CreationSeed? seed = null)
    {
        EnsureAdmin(caller);
        var earnings = StatementMachine.Totals(await AmountsAsync()).Earnings;
        var count = state.State.Holds.Count;
        var placed = StatementMachine.PlaceHold(state.State, new CreationValues(seed).NewId(IdPrefixes.PayoutHold), hold, earnings, time.GetUtcNow());
        if (state.State.Holds.Count != count) await SaveAsync();
        return placed;
    }

    public async Task<PayoutHold> LiftHold(Caller caller, string holdId)
    {
        EnsureAdmin(caller);
        var before = state.State.Holds.FirstOrDefault(h => h.HoldId == holdId);
        var lifted = StatementMachine.LiftHold(state.State, holdId, time.GetUtcNow());
        if (before?.IsActive == true) await SaveAsync();
        return lifted;
    }

    public async Task<PayoutStatement> MarkPaid(Caller caller, string? reference)
    {
        EnsureAdmin(caller);
        StatementMachine.MarkPaid(state.State, reference?.Trim(), time.GetUtcNow());
        await SaveAsync();
        return await SnapshotAsync();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName) return;
        if (!state.RecordExists)
        {
            await DisarmAsync();
            return;
        }

        var s = state.State;
        var now = time.GetUtcNow();
        if (s.Status == PayoutStatuses.Open && now >= s.PeriodEnd + Settings.CloseGrace)
        {
            var frozen = await LiveAmountsAsync();
            StatementMachine.Close(s, frozen, now, Settings.HoldWindow);
            s.Events.Add(EventOf(PayoutEventTypes.Closed, now));
            await SaveAsync();
        }

        if (s.Status == PayoutStatuses.Closed && now >= s.HoldUntil)
        {
            StatementMachine.Release(s, now);
            s.Events.Add(EventOf(PayoutEventTypes.Released, now));
            await SaveAsync();
        }

        await ArmAsync();
    }

    /// <summary>The event of the transition just applied, with the statement as it is now as its data.</summary>
    private PayoutEvent EventOf(string type, DateTimeOffset at)
    {
        var data = PayoutEventData.Of(StatementMachine.Snapshot(state.State, state.State.ByDataset));
        return new PayoutEvent(StatementMachine.EventIdOf(state.State.StatementId, type, at), type, at,
            JsonSerializer.Serialize(data, PayoutEventJson.Default.PayoutEventData));
    }

    /// <summary>Aims the one reminder at the next transition (at least a second ahead), or removes it when none is left.</summary>
    private async Task ArmAsync()
    {
        if (StatementMachine.NextDue(state.State, Settings.CloseGrace) is not { } due)
        {
            await DisarmAsync();
            return;
        }

        var dueIn = due - time.GetUtcNow();
        if (dueIn < TimeSpan.FromSeconds(1)) dueIn = TimeSpan.FromSeconds(1);
        if (dueIn > MaxReminderDue) dueIn = MaxReminderDue;
        // The period only matters when a tick fails: the reminder then fires again after it.
        await this.RegisterOrUpdateReminder(ReminderName, dueIn, options.Value.Reminders.MinimumPeriod);
    }

    private async Task DisarmAsync()
    {
        if (await this.GetReminder(ReminderName) is { } reminder) await this.UnregisterReminder(reminder);
    }

    private Task<IReadOnlyList<DatasetEarnings>> AmountsAsync() =>
        state.State.Status == PayoutStatuses.Open ? LiveAmountsAsync() : Task.FromResult<IReadOnlyList<DatasetEarnings>>(state.State.ByDataset);

    private async Task<IReadOnlyList<DatasetEarnings>> LiveAmountsAsync() =>
        StatementMachine.Earnings(await ledger.GrossByDatasetAsync(state.State.TenantId, state.State.PeriodStart, state.State.PeriodEnd), Settings.PlatformFeeRate);

    private async Task<PayoutStatement> SnapshotAsync() => StatementMachine.Snapshot(state.State, await AmountsAsync());

    private void EnsureReadableBy(Caller caller)
    {
        if (!state.RecordExists || !caller.CanRead(state.State.TenantId)) throw IptoException.NotFound("Payout statement");
    }

    private void EnsureAdmin(Caller caller)
    {
        if (!state.RecordExists) throw IptoException.NotFound("Payout statement");
        if (!(caller.IsPlatformAdmin && caller.Scopes.Contains(Scopes.Admin)) && !caller.IsOperator())
            throw new IptoException(ErrorCodes.Forbidden, "Only a platform admin can place or lift holds and mark statements paid.");
    }

    private async Task SaveAsync()
    {
        state.State.Version++;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The change lives only in memory now: start again from what storage holds.
            DeactivateOnIdle();
            throw;
        }

        await Projection.WriteAsync(this, WriteProjectionAsync, logger, "payout statement", GrainKey);
    }

    /// <summary>Open statements are projected with the amounts of their last write; lists read live amounts from the grain.</summary>
    private Task WriteProjectionAsync() =>
        projection.UpsertAsync(GrainKey, StatementMachine.Snapshot(state.State, state.State.ByDataset), state.State.Version, state.State.Events);
}

/// <summary>Statement grain keys: <c>{tenant_id}/{period key}</c>, the period key being its start as <see cref="PayoutPeriods.KeyOf"/>.</summary>
public static class PayoutKeys
{
    public static string Of(string tenantId, DateTimeOffset periodStart) => $"{tenantId}/{PayoutPeriods.KeyOf(periodStart)}";

    public static (string TenantId, DateTimeOffset PeriodStart) Parse(string key)
    {
        var slash = key.LastIndexOf('/');
        if (slash > 0 && DateTimeOffset.TryParseExact(key[(slash + 1)..], "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var start))
            return (key[..slash], start);
        throw new ArgumentException($"'{key}' is not a payout statement key ({{tenant_id}}/{{yyyyMMddTHHmmssZ}}).", nameof(key));
    }
}
