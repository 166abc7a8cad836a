using Ipto.Common;
using Ipto.Grains.Identity;
using Ipto.Identity;
using Ipto.Operations;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Ipto.Grains.Operations;

[StatelessWorker]
public sealed class OperatorGrain(Metering.LedgerRollups rollups, ILogger<OperatorGrain> logger) : Grain, IOperatorGrain
{
    public async Task<string> SetPlatformAdmin(Caller caller, string email, bool isPlatformAdmin)
    {
        if (!caller.IsOperator()) throw new IptoException(ErrorCodes.Forbidden, "Only an operator tool can set platform admins.");
        if (!EmailAddress.IsValid(email))
            throw new IptoException(ErrorCodes.InvalidRequest, "email must be an email address.", [new FieldError("email", "must be an email address")]);
        var userId = await GrainFactory.GetGrain<IEmailIndexGrain>(EmailAddress.Normalize(email)).FindUser() ?? throw IptoException.NotFound("User");
        await GrainFactory.GetGrain<IUserGrain>(userId).SetPlatformAdmin(isPlatformAdmin);
        logger.LogWarning("{Operator} set platform admin of {UserId} to {IsPlatformAdmin}", caller.PrincipalId, userId, isPlatformAdmin);
        return userId;
    }

    public async Task RebuildLedgerRollups(Caller caller)
    {
        if (!caller.IsOperator()) throw new IptoException(ErrorCodes.Forbidden, "Only an operator tool can rebuild the ledger's rollups.");
        await rollups.RebuildAsync();
        logger.LogWarning("{Operator} rebuilt the ledger's rollups", caller.PrincipalId);
    }
}
