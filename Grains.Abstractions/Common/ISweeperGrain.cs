namespace Ipto.Common;

/// <summary>
/// A cluster-wide maintenance grain (use key 0) that sweeps from one durable reminder, so housekeeping needs one
/// reminder per kind of work instead of one per item.
/// </summary>
[Alias("Ipto.ISweeperGrain")]
public interface ISweeperGrain : IGrainWithIntegerKey
{
    /// <summary>Registers the sweep reminder unless it exists; every silo calls this when it starts.</summary>
    [Alias("EnsureScheduled")]
    Task EnsureScheduled();

    /// <summary>Sweeps now, as a reminder tick does, and returns how many items it handled.</summary>
    [Alias("Sweep")]
    Task<int> Sweep();
}
