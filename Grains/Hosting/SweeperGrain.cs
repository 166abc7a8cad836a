using System.Diagnostics;
using Ipto.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Hosting;

/// <summary>
/// The reminder half of every <see cref="ISweeperGrain"/>: one reminder named <c>sweep</c> at <see cref="Period"/>, each
/// tick running <see cref="SweepAsync"/>. A tick stops after <see cref="TickBudget"/>, half the call timeout, so the
/// reminder's call does not time out; whatever is left waits for the next tick.
/// </summary>
public abstract class SweeperGrain(IOptions<IptoOptions> options, ILogger logger) : Grain, ISweeperGrain, IRemindable
{
    private const string ReminderName = "sweep";

    protected IptoOptions Options => options.Value;

    protected TimeSpan TickBudget => Options.Cluster.ResponseTimeout / 2;

    protected abstract TimeSpan Period { get; }

    public async Task EnsureScheduled()
    {
        if (await this.GetReminder(ReminderName) is null) await this.RegisterOrUpdateReminder(ReminderName, Period, Period);
    }

    public Task<int> Sweep() => SweepAsync(Stopwatch.StartNew());

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName) return;
        if (status.Period != Period) await this.RegisterOrUpdateReminder(ReminderName, Period, Period);
        try
        {
            await SweepAsync(Stopwatch.StartNew());
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "{Sweeper} failed; the next tick tries again", GetType().Name);
        }
    }

    /// <summary>Does one tick's work, checking <paramref name="elapsed"/> against <see cref="TickBudget"/> between batches.</summary>
    protected abstract Task<int> SweepAsync(Stopwatch elapsed);
}
