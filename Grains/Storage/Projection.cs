using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Ipto.Grains.Storage;

/// <summary>
/// Writes a grain's read-model rows after its own state write. The grain state is the truth; a row that could not be
/// written is retried by a grain timer every <see cref="RetryPeriod"/> (keeping the grain active) until it is, and
/// again on the grain's next write or activation, so lists and lookups always catch up.
/// </summary>
public static class Projection
{
    public static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(1);

    private static readonly ConditionalWeakTable<IGrainBase, IGrainTimer> Retries = new();

    /// <summary>
    /// A write that is part of an acknowledgement: when the row cannot be written the call fails (a 2xx always means
    /// state and read model), while the background retry brings the row up to date.
    /// </summary>
    public static Task WriteAsync(IGrainBase grain, Func<Task> write, ILogger logger, string what, string id) =>
        WriteAsync(grain, write, logger, what, id, acknowledging: true);

    /// <summary>A catch-up write (activation, background progress): a failure is logged and retried, never thrown.</summary>
    public static Task CatchUpAsync(IGrainBase grain, Func<Task> write, ILogger logger, string what, string id) =>
        WriteAsync(grain, write, logger, what, id, acknowledging: false);

    private static async Task WriteAsync(IGrainBase grain, Func<Task> write, ILogger logger, string what, string id, bool acknowledging)
    {
        try
        {
            await write();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not project {What} {Id}; it is retried", what, id);
            KeepTrying(grain, write, logger, what, id);
            if (acknowledging) throw;
        }
    }

    private static void KeepTrying(IGrainBase grain, Func<Task> write, ILogger logger, string what, string id)
    {
        lock (Retries)
        {
            if (Retries.TryGetValue(grain, out _)) return;
            Retries.Add(grain, grain.RegisterGrainTimer(async _ =>
            {
                try
                {
                    await write();
                }
                catch (Exception e)
                {
                    logger.LogWarning(e, "Projection of {What} {Id} still fails; retrying", what, id);
                    return;
                }

                lock (Retries)
                {
                    if (Retries.TryGetValue(grain, out var timer)) timer.Dispose();
                    Retries.Remove(grain);
                }
            }, new GrainTimerCreationOptions(RetryPeriod, RetryPeriod) { Interleave = false, KeepAlive = true }));
        }
    }
}
