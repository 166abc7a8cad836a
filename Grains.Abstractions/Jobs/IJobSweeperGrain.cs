using Ipto.Common;

namespace Ipto.Jobs;

/// <summary>Re-drives every unfinished job found in the jobs read model, wherever its grain last ran.</summary>
[Alias("Ipto.IJobSweeperGrain")]
public interface IJobSweeperGrain : ISweeperGrain
{
}
