namespace Ipto.Grains.Identity;

public enum EmailIndexStatus
{
    Free = 0,
    Pending = 1,
    Active = 2,
}

[GenerateSerializer, Alias("Ipto.EmailIndexState")]
public sealed class EmailIndexState
{
    [Id(0)] public EmailIndexStatus Status { get; set; }
    [Id(1)] public string? UserId { get; set; }
    [Id(2)] public string? TenantId { get; set; }
    [Id(3)] public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The signup joined an existing tenant (invitation): rolling back must not discard that tenant.</summary>
    [Id(4)] public bool JoinedExistingTenant { get; set; }
}

[GenerateSerializer, Alias("Ipto.UserSession")]
public sealed record UserSession([property: Id(0)] string Hash, [property: Id(1)] DateTimeOffset ExpiresAt);

[GenerateSerializer, Alias("Ipto.UserState")]
public sealed class UserState
{
    [Id(0)] public string Email { get; set; } = "";
    [Id(1)] public string DisplayName { get; set; } = "";
    [Id(2)] public string TenantId { get; set; } = "";
    [Id(3)] public List<string> Roles { get; set; } = [];
    [Id(4)] public bool IsPlatformAdmin { get; set; }
    [Id(5)] public string PasswordHash { get; set; } = "";
    [Id(6)] public DateTimeOffset CreatedAt { get; set; }
    [Id(7)] public List<UserSession> Sessions { get; set; } = [];
}

[GenerateSerializer, Alias("Ipto.SessionState")]
public sealed class SessionState
{
    [Id(0)] public string UserId { get; set; } = "";
    [Id(1)] public string TenantId { get; set; } = "";
    [Id(2)] public List<string> Roles { get; set; } = [];
    [Id(3)] public bool IsPlatformAdmin { get; set; }
    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
    [Id(5)] public DateTimeOffset ExpiresAt { get; set; }
    [Id(6)] public TimeSpan IdleTimeout { get; set; }
    [Id(7)] public DateTimeOffset LastSeenAt { get; set; }
    [Id(8)] public bool Revoked { get; set; }

    /// <summary>Set before an activation first leases the session to a node, cleared when it deactivates after every holder forgot it.</summary>
    [Id(9)] public bool LeasesGranted { get; set; }
}
