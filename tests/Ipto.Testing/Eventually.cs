namespace Ipto.Testing;

/// <summary>Polls until a condition holds, failing after a timeout: how tests wait, instead of sleeping.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null, bool retryErrors = false)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            T value;
            try
            {
                value = await probe();
            }
            catch (Exception) when (retryErrors && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
                continue;
            }

            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what ?? "the condition"}; last value: {value}");
            await Task.Delay(50);
        }
    }
}
