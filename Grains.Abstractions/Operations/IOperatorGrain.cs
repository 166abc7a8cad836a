using Ipto.Common;

namespace Ipto.Operations;

/// <summary>
/// Platform operations that only an operator tool may perform (<see cref="Caller.Operator"/>; no HTTP credential yields
/// that caller). Stateless: any silo answers (use key 0).
/// </summary>
[Alias("Ipto.IOperatorGrain")]
public interface IOperatorGrain : IGrainWithIntegerKey
{
    /// <summary>Grants (or withdraws) platform admin to the account of <paramref name="email"/>; returns its user id. 404 when there is no such account.</summary>
    [Alias("SetPlatformAdmin")]
    Task<string> SetPlatformAdmin(Caller caller, string email, bool isPlatformAdmin);

    /// <summary>Rebuilds the ledger's rollups (daily spend, provider analytics; caches of it) from the events, while charges go on.</summary>
    [Alias("RebuildLedgerRollups")]
    Task RebuildLedgerRollups(Caller caller);
}
