using Microsoft.Extensions.Logging;

namespace Ipto.Grains.Storage;

public static class Projection
{
    /// <summary>
    /// Writes a read-model row after the grain's own state write. A failure is logged, not thrown: the grain state is
    /// the truth and the row is re-projected on the grain's next write or activation.
    /// </summary>
    public static async Task TryWriteAsync(Func<Task> write, ILogger logger, string what, string id)
    {
        try
        {
            await write();
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Could not project {What} {Id}; it is re-projected on its next write or activation", what, id);
        }
    }
}
