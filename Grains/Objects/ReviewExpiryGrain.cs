using Ipto.Grains.Hosting;
using Ipto.Objects;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Objects;

[GenerateSerializer, Alias("Ipto.ReviewExpiryState")]
public sealed class ReviewExpiryState
{
    [Id(0)] public Dictionary<string, DateTimeOffset> Due { get; set; } = [];
}

/// <summary>Expires the staged objects of one hour bucket from a single durable reminder aimed at the earliest of them.</summary>
public sealed class ReviewExpiryGrain(
    [PersistentState("review-expiry", StorageNames.Default)] IPersistentState<ReviewExpiryState> state,
    IOptions<IptoOptions> options,
    TimeProvider time,
    ILogger<ReviewExpiryGrain> logger) : Grain, IReviewExpiryGrain, IRemindable
{
    private const string ReminderName = "expire";

    public async Task Schedule(string objectId, DateTimeOffset expiresAt)
    {
        if (state.State.Due.TryGetValue(objectId, out var known) && known == expiresAt) return;
        var rearm = state.State.Due.Count == 0 || expiresAt < state.State.Due.Values.Min();
        state.State.Due[objectId] = expiresAt;
        await state.WriteStateAsync();
        if (rearm) await ArmAsync();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName) return;
        var now = time.GetUtcNow();
        foreach (var (objectId, due) in state.State.Due.Where(d => d.Value <= now).ToArray())
        {
            try
            {
                await GrainFactory.GetGrain<IObjectGrain>(objectId).Expire();
                state.State.Due.Remove(objectId);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Could not expire object {ObjectId}; the next tick retries", objectId);
            }
        }

        if (state.State.Due.Count == 0)
        {
            await state.ClearStateAsync();
            if (await this.GetReminder(ReminderName) is { } reminder) await this.UnregisterReminder(reminder);
            return;
        }

        await state.WriteStateAsync();
        await ArmAsync();
    }

    /// <summary>Points the reminder at the earliest due object (at least a second ahead).</summary>
    private async Task ArmAsync()
    {
        var earliest = state.State.Due.Values.Min();
        var dueIn = earliest - time.GetUtcNow();
        if (dueIn < TimeSpan.FromSeconds(1)) dueIn = TimeSpan.FromSeconds(1);
        var period = options.Value.Reminders.MinimumPeriod;
        await this.RegisterOrUpdateReminder(ReminderName, dueIn, period);
    }
}
