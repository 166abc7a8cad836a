using Ipto.Common;
using Ipto.Grains.Hosting;
using Ipto.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Ipto.Grains.Identity;

/// <summary>
/// Creates the platform admin named by <c>Ipto:Bootstrap:AdminEmail</c>/<c>AdminPassword</c> when a silo becomes active,
/// or confirms the flag on an existing account. Every silo runs it; the email grain makes it happen once.
/// </summary>
public sealed class PlatformAdminBootstrap(IGrainFactory grains, IOptions<IptoOptions> options, ILogger<PlatformAdminBootstrap> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PlatformAdminBootstrap), ServiceLifecycleStage.Active, EnsureAdminAsync);

    public async Task EnsureAdminAsync(CancellationToken cancellationToken)
    {
        var bootstrap = options.Value.Bootstrap;
        if (string.IsNullOrWhiteSpace(bootstrap.AdminEmail)) return;
        if (!EmailAddress.IsValid(bootstrap.AdminEmail) || bootstrap.AdminPassword is not { Length: >= 8 and <= 128 })
            throw new InvalidOperationException("Ipto:Bootstrap:AdminEmail must be an email address and Ipto:Bootstrap:AdminPassword 8 to 128 characters.");

        var email = grains.GetGrain<IEmailIndexGrain>(EmailAddress.Normalize(bootstrap.AdminEmail));
        var userId = await email.FindUser();
        if (userId is null)
        {
            try
            {
                await email.Signup(new SignupCommand(EmailAddress.Normalize(bootstrap.AdminEmail), bootstrap.AdminPassword, "Platform admin", "IPTO platform", IsPlatformAdmin: true));
                logger.LogInformation("Created the bootstrap platform admin");
                return;
            }
            catch (IptoException e) when (e.Code == ErrorCodes.Conflict)
            {
                userId = await email.FindUser(); // another silo created it at the same moment
            }
        }

        if (userId is not null) await grains.GetGrain<IUserGrain>(userId).SetPlatformAdmin(true);
    }
}
