using Ipto.Common;

namespace Ipto.Idempotency;

/// <summary>Deletes idempotency records whose retention has passed, in batches, without any request traffic.</summary>
[Alias("Ipto.IIdempotencySweeperGrain")]
public interface IIdempotencySweeperGrain : ISweeperGrain
{
}
